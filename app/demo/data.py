"""The demo street, taken from SCENARIOS.md (places real, people invented)."""

STREET = {"name": "方庄地区", "district": "丰台区"}

# community -> building -> (entrances, floors, rooms per floor)
COMMUNITIES = {
    "芳群园一区": {
        "6号楼": (("6门", "7门"), 6, 2),  # S1: the bent trees at entrances 6 and 7
        "8号楼": (("1门", "2门"), 6, 2),
        "10号楼": (("1门", "2门"), 6, 2),
    },
    "芳群园二区": {
        "3号楼": (("1门", "2门"), 6, 2),
        "5号楼": (("1门", "2门"), 6, 2),  # S2: the pharmacy on the pavement below
    },
    "芳群园三区": {
        "24号楼": (("1门", "2门", "3门"), 16, 2),  # S3: the long high-rise (throwing objects)
        "25号楼": (("1门", "2门"), 6, 2),
    },
}

DEPARTMENTS = [
    ("方庄物业服务中心", "property", "010-67610001"),
    ("城管执法队", "city", "010-67610002"),
    ("食药监所", "city", "010-67610003"),
    ("工商所", "city", "010-67610004"),
    ("方庄派出所", "city", "010-67610005"),
    ("园林绿化队", "city", "010-67610006"),
]

# The demo password is public on purpose: these accounts exist only in demo databases.
DEMO_PASSWORD = "siheyuan2026"  # noqa: S105 — public demo credential, documented in README

# (phone, name, role, scope kind, scope key, extra)
ACCOUNTS = [
    ("13800000000", "系统管理员", "admin", None, None, {}),
    ("13800000001", "赵街道", "street", "street", "方庄地区", {}),
    ("13800000002", "钱书记", "staff", "community", "芳群园一区", {"party": True}),
    ("13800000003", "孙楼长", "building_head", "building", ("芳群园一区", "6号楼"), {"home": ("6门", "201")}),
    ("13800000004", "李居民", "resident", "household", ("芳群园一区", "6号楼", "6门", "302"), {}),
    ("13800000005", "周城管", "department", "department", "城管执法队", {}),
    ("13800000006", "吴物业", "department", "department", "方庄物业服务中心", {}),
    ("13800000007", "郑楼长", "building_head", "building", ("芳群园三区", "24号楼"), {"home": ("1门", "101")}),
    ("13800000008", "王社工", "staff", "community", "芳群园三区", {}),
    ("13800000009", "潘大爷", "resident", "household", ("芳群园一区", "6号楼", "7门", "101"), {"care": True}),
]
