"""Build the OpenAPI 3.1 document from the app's routes and their `@documented` declarations.

Every rule under /api/ is walked (app.url_map); its view's Operation (app/api.py) names the body
model or the command whose payload the body is, the query model and the answers. All models are
turned into JSON Schema at once by pydantic (`models_json_schema`), so names never clash and each
schema sits once under components/schemas. A rule with `<any(a, b):step>` becomes one path per
value, each with its own command. POST /api/v1/sync's body is the offline commands as a oneOf
discriminated by `type` (app/sync/routes.py).
"""
from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.api import CommandResult, ErrorOut, Operation
from app.commands import get_command

REF = "#/components/schemas/{model}"
PARAM = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
# Ids are PostgreSQL `integer` columns: what the path may name.
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WHY = {
    200: "Done.", 201: "Created.", 204: "Done; no body.",
    400: "Not valid (a message per field), or the CSRF token is missing or stale (code csrf_failed).",
    401: "Not signed in.", 403: "Not allowed for this person.", 404: "No such thing in your reach.",
    409: "Someone else changed it first (with the server's version), or the id was taken.",
    413: "Too large.", 429: "Too many attempts; wait and try again.",
}


def _expand(rule: str) -> list[tuple[str, dict[str, str], list[tuple[str, str]]]]:
    """The OpenAPI paths of a Werkzeug rule: (path, values of `any` converters, [(param, converter)])."""
    variants: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = [("", {}, [])]
    pos = 0
    for m in PARAM.finditer(rule):
        literal = rule[pos:m.start()]
        pos = m.end()
        conv, name = m["conv"] or "default", m["name"]
        if conv == "any":
            values = [v.strip().strip("'\"") for v in m["args"].split(",")]
            variants = [(p + literal + v, {**a, name: v}, ps) for p, a, ps in variants for v in values]
        else:
            variants = [(p + literal + "{" + name + "}", a, [*ps, (name, conv)]) for p, a, ps in variants]
    return [(p + rule[pos:], a, ps) for p, a, ps in variants]


def _declared(app: Flask) -> list[tuple[str, str, Operation, dict[str, str], list[tuple[str, str]]]]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        op = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if op is None:
            raise LookupError(f"{rule.rule} ({rule.endpoint}) has no @documented(...) declaration (app/api.py)")
        for method in sorted(set(rule.methods or ()) & set(METHODS)):
            for path, args, params in _expand(rule.rule):
                found.append((path, method, op, args, params))
    return found


def _body_model(op: Operation, args: dict[str, str]) -> tuple[type[BaseModel] | None, str | None]:
    """The body's model, and the command it is the payload of (None for a plain body)."""
    if op.command is not None:
        name = op.command(args) if callable(op.command) else op.command
        cmd = get_command(name)
        if cmd is None:
            raise LookupError(f"no command {name!r}")
        return cmd.schema, name
    body = op.body() if callable(op.body) and not isinstance(op.body, type) else op.body
    return (body if isinstance(body, type) else None), None


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[{}]", "", path.removeprefix("/api/v1/")).replace(".", "_")
    return method.lower() + "_" + (re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_") or "root")


def build(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every JSON route under /api/."""
    declared = _declared(app)
    wanted: dict[tuple[type[BaseModel], str], None] = {(ErrorOut, "serialization"): None,
                                                       (CommandResult, "serialization"): None}
    prepared = []
    for path, method, op, args, params in declared:
        body, command = _body_model(op, args)
        if body is not None:
            wanted[(body, "validation")] = None
        if op.query is not None:
            wanted[(op.query, "validation")] = None
        for model in op.responses.values():
            if isinstance(model, type) and issubclass(model, BaseModel):
                wanted[(model, "serialization")] = None
        prepared.append((path, method, op, params, body, command))
    keys, top = models_json_schema(list(wanted), ref_template=REF)
    components: dict[str, Any] = top.get("$defs", {})

    def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
        return copy.deepcopy(keys[(model, mode)])

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            return components[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    paths: dict[str, dict[str, Any]] = {}
    for path, method, op, params, body, command in prepared:
        parameters = []
        for name, conv in params:
            schema = op.path.get(name) or (dict(ID_SCHEMA) if conv == "int" else {"type": "string"})
            parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        if op.query is not None:
            query = resolve(ref(op.query, "validation"))
            for name, schema in query.get("properties", {}).items():
                parameters.append({"name": name, "in": "query", "required": name in query.get("required", []),
                                   "schema": schema, **({"description": schema["description"]}
                                                        if "description" in schema else {})})
        item: dict[str, Any] = {"operationId": _operation_id(method, path), "summary": op.summary,
                                "tags": [op.tag or path.removeprefix("/api/v1/").split("/")[0]]}
        if parameters:
            item["parameters"] = parameters
        if op.body == "multipart":
            item["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}}
        elif body is not None:
            schema = ref(body, "validation")
            if command is not None:
                schema = _command_body(components, schema, command, {name for name, _ in params})
            item["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        item["responses"] = _responses(op, method, bool(params), ref, command, has_query=op.query is not None)
        security = [{"session": [], "csrf": []} if method != "GET" else {"session": []}] if op.signed_in else (
            [{"csrf": []}] if method != "GET" else [])
        item["security"] = security
        paths.setdefault(path, {})[method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "Siheyuan 掌上四合院 JSON API", "version": "1",
                 "description": "The JSON API of Siheyuan, generated from the code's own schemas (docs/api.md). "
                                "Sign in with POST /api/v1/session (fetch a CSRF token first from GET /api/v1/csrf); "
                                "every write sends the token in the X-CSRFToken header. Errors always have the "
                                "shape ErrorOut, with the message in the person's language."},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "session",
                        "description": "The session cookie POST /api/v1/session sets."},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                     "description": "A token from GET /api/v1/csrf (or the sign-in answer)."}}},
    }


def _command_body(components: dict[str, Any], schema: dict[str, Any], command: str, from_path: set[str]) -> dict:
    """The command's payload schema without what the URL gives, plus the optional `uuid` run_command takes."""
    name = schema["$ref"].rsplit("/", 1)[1] if "$ref" in schema else None
    base = components[name] if name else schema
    body = copy.deepcopy(base)
    body["properties"] = {k: v for k, v in body.get("properties", {}).items() if k not in from_path}
    body["properties"]["uuid"] = {"type": "string", "format": "uuid",
                                  "description": "The public id of what this creates, chosen by the client (retries)."}
    if "required" in body:
        body["required"] = [k for k in body["required"] if k not in from_path]
    body["description"] = f"The payload of the command `{command}`." + (
        f" {base['description']}" if base.get("description") else "")
    key = f"{command}.body"
    components[key] = body
    return {"$ref": REF.format(model=key)}


def _responses(op: Operation, method: str, has_path: bool, ref, command: str | None, *,
               has_query: bool = False) -> dict[str, Any]:
    declared: dict[int, Any] = dict(op.responses)
    if op.signed_in:
        declared.setdefault(401, ErrorOut)
    if method != "GET" or has_query:
        # The CSRF token; and any number the database cannot hold, in a query or a body (app/inputs.py).
        declared.setdefault(400, ErrorOut)
    if has_path:
        declared.setdefault(404, ErrorOut)
    answers: dict[str, Any] = {}
    for status, model in sorted(declared.items()):
        answer: dict[str, Any] = {"description": WHY.get(status, "")}
        if isinstance(model, str):
            answer["content"] = {model: {"schema": {"type": "object" if model.endswith("json") else "string"}}}
        elif model is CommandResult and command:
            answer["description"] += f" The result of `{command}`."
            answer["content"] = {"application/json": {"schema": ref(model, "serialization")}}
        elif model is not None:
            answer["content"] = {"application/json": {"schema": ref(model, "serialization")}}
        answers[str(status)] = answer
    return answers
