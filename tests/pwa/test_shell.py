"""The installable shell as the browser fetches it: manifest, service worker, offline page, headers."""
import io
import re
from pathlib import Path

import pytest
from PIL import Image


def test_manifest_is_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "掌上四合院" and manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"]) and manifest["scope"] == "/"
    page = client.get("/auth/login").get_data(as_text=True)
    assert f'<meta name="theme-color" content="{manifest["theme_color"]}">' in page  # the same colour before install
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
            with Image.open(io.BytesIO(response.data)) as image:
                assert "{}x{}".format(*image.size) == icon["sizes"]  # the size it claims, or Chromium ignores it


def test_manifest_names_the_language_of_its_name(client):
    """Fetched in an English session the name is English, so its lang says en (browsers fetch it without cookies: Chinese)."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/auth/login").get_data(as_text=True)).group(1)
    client.post("/auth/locale", data={"locale": "en", "csrf_token": token})
    manifest = client.get("/manifest.webmanifest").get_json()
    assert manifest["name"] == "Siheyuan — courtyard in your palm" and manifest["lang"] == "en"


def test_service_worker_is_served_from_the_root_with_its_precache(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "__VERSION__" not in body and "__PRECACHE__" not in body and "__HOME_PAGES__" not in body
    assert 'const HOME_PAGES = ["/", "/care/"];' in body  # where / may lead, for the offline start page
    precache = re.search(r"const PRECACHE = (\[.*?\]);", body).group(1)
    for url in re.findall(r'"([^"]+)"', precache):
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_static_urls_change_with_their_content(client, app):
    from app.pwa.assets import static_url

    with app.test_request_context():
        url = static_url("css/app.css")
    assert re.fullmatch(r"/static/css/app.css\?v=[0-9a-f]{12}", url)


def test_offline_page_says_what_still_works(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "现在没有网络" in page and "返回首页" in page


@pytest.mark.parametrize("path", ["/auth/login", "/offline", "/api/v1/csrf", "/api/v1/me", "/sw.js", "/manifest.webmanifest",
                                  "/static/css/app.css", "/no/such/page", "/"])
def test_security_headers_on_every_response(client, path):
    """Pages, JSON, the worker, static files, errors and redirects alike."""
    with client.get(path) as response:
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp and "base-uri 'self'" in csp and "form-action 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here (SESSION_COOKIE_SECURE off)


def test_strict_transport_security_behind_https(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert client.get("/auth/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_page_loads_anything_from_another_origin(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_hashed_static_files_are_kept_a_year_and_plain_ones_revalidated(client, app):
    from app.pwa.assets import static_url

    with app.test_request_context():
        hashed = static_url("css/app.css")
    with client.get(hashed) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/js/sync.js") as response:
        assert response.headers["Cache-Control"] == "no-cache"


def test_pages_and_static_text_are_compressed_for_browsers_that_ask(client, app):
    from app.pwa.assets import static_url

    with app.test_request_context():
        css = static_url("css/app.css")
    with client.get(css, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert int(response.headers["Content-Length"]) < (Path(app.static_folder) / "css" / "app.css").stat().st_size / 2
    with client.get(css) as plain:  # a client that does not ask gets the file as it is
        assert "Content-Encoding" not in plain.headers and plain.data.startswith(b"/*")
    with client.get("/auth/login", headers={"Accept-Encoding": "gzip"}) as page:
        assert page.headers["Content-Encoding"] == "gzip"
