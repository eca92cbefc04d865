#!/usr/bin/env python3
"""Check recorded HTTP exchanges against the published provider contracts in contracts/*.json.

    python3 check_exchanges.py CONTRACTS_DIR EXCHANGES.jsonl
    python3 check_exchanges.py --self-test [CONTRACTS_DIR]

Each line of EXCHANGES.jsonl is one exchange:
    {"api": "ahrefs-v3" | "dataforseo" | "analytics" | ..., "method": "GET",
     "path": "/site-explorer/metrics"        (relative to the API's base path),
     "query": "target=a.com&date=2026-11-01" (raw, percent-encoded) or null,
     "request_body": <parsed JSON or null>, "status": 200, "response_body": <parsed JSON or null>}

The contract of an API is CONTRACTS_DIR/<api>.json; exchanges of an API without one are skipped.
Prints one line per violation, `api METHOD path: where: what`, then `N exchanges, M violations`.
Exit status: 0 without violations, 1 with any, 2 on a usage error.

Schemas are a JSON-Schema subset: type (a name or a list), properties, required, additionalProperties
(absent = false on objects: unknown members are violations; true; or a schema for every other member),
items, prefixItems, enum, minItems, maxItems, minLength, maxLength, minimum, maximum, pattern,
format (date = YYYY-MM-DD, date-time = RFC 3339). A schema without type accepts any value.
Query parameters use the same subset plus "required": true and {"type": "csv", "items": {...}} for
comma-separated lists; an array-typed parameter is given by repeating it.
"""
import datetime
import json
import os
import re
import sys
import urllib.parse

# ---------------------------------------------------------------- schema checks

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def type_matches(value, name):
    actual = json_type(value)
    if name == "number":
        return actual in ("integer", "number")
    return actual == name


def types_of(schema):
    t = schema.get("type")
    if t is None:
        return None
    return t if isinstance(t, list) else [t]


def same_value(a, b):
    ta, tb = json_type(a), json_type(b)
    if ta in ("integer", "number") and tb in ("integer", "number"):
        return a == b
    return ta == tb and a == b


def without_required(spec, **changes):
    out = {k: v for k, v in spec.items() if k != "required"}
    out.update(changes)
    return out


def short(value, limit=60):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def enum_text(values):
    shown = ", ".join(json.dumps(v) for v in values[:8])
    return "[" + shown + (", ... %d values" % len(values) if len(values) > 8 else "") + "]"


def valid_date(text):
    if not DATE_RE.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def valid_date_time(text):
    m = DATE_TIME_RE.match(text)
    if not m or not valid_date(m.group(1)):
        return False
    return int(m.group(2)) < 24 and int(m.group(3)) < 60 and int(m.group(4)) < 61


def check(value, schema, where, out):
    """Append (where, what) for every way `value` breaks `schema`."""
    if schema is True or schema is None:
        return
    if schema is False:
        out.append((where, "no value is allowed here"))
        return
    types = types_of(schema)
    if types is not None and not any(type_matches(value, t) for t in types):
        out.append((where, "expected %s, got %s %s" % (" or ".join(types), json_type(value), short(value))))
        return
    if "enum" in schema and not any(same_value(value, e) for e in schema["enum"]):
        out.append((where, "%s is not one of %s" % (short(value), enum_text(schema["enum"]))))
    kind = json_type(value)
    if kind == "string":
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append((where, "%d characters, more than maxLength %d" % (len(value), schema["maxLength"])))
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append((where, "%d characters, fewer than minLength %d" % (len(value), schema["minLength"])))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append((where, "%s does not match %s" % (short(value), schema["pattern"])))
        fmt = schema.get("format")
        if fmt == "date" and not valid_date(value):
            out.append((where, "%s is not a date (YYYY-MM-DD)" % short(value)))
        if fmt == "date-time" and not valid_date_time(value):
            out.append((where, "%s is not a date-time (RFC 3339)" % short(value)))
    elif kind in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((where, "%s is less than minimum %s" % (short(value), schema["minimum"])))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((where, "%s is more than maximum %s" % (short(value), schema["maximum"])))
    elif kind == "array":
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append((where, "%d items, fewer than minItems %d" % (len(value), schema["minItems"])))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append((where, "%d items, more than maxItems %d" % (len(value), schema["maxItems"])))
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            if i < len(prefix):
                check(item, prefix[i], "%s[%d]" % (where, i), out)
            elif "items" in schema:
                check(item, schema["items"], "%s[%d]" % (where, i), out)
    elif kind == "object":
        props = schema.get("properties", {})
        closed_object = "properties" in schema or (types is not None and "object" in types)
        for name in schema.get("required", []):
            if name not in value:
                out.append((where, "missing required member %s" % json.dumps(name)))
        extra = schema.get("additionalProperties", False if closed_object else True)
        for name, member in value.items():
            sub = "%s.%s" % (where, name)
            if name in props:
                check(member, props[name], sub, out)
            elif extra is False:
                out.append((where, "unknown member %s" % json.dumps(name)))
            elif isinstance(extra, dict):
                check(member, extra, sub, out)


# ---------------------------------------------------------------- query checks

def parse_scalar(text, schema):
    """A query value as the JSON value its schema types it as, or raise ValueError."""
    types = types_of(schema) or ["string"]
    for t in types:
        if t == "string":
            return text
        if t == "integer" and re.match(r"^[+-]?\d+$", text):
            return int(text)
        if t == "number":
            try:
                number = float(text)
                if number == number and abs(number) != float("inf"):
                    return int(text) if re.match(r"^[+-]?\d+$", text) else number
            except ValueError:
                pass
        if t == "boolean" and text.lower() in ("true", "false", "1", "0"):
            return text.lower() in ("true", "1")
        if t == "null" and text in ("", "null"):
            return None
    raise ValueError("%s is not a valid %s" % (short(text), " or ".join(types)))


def check_param(name, values, spec, where, out):
    """values: the list of raw strings given for one parameter (several when repeated)."""
    types = types_of(spec) or ["string"]
    if types == ["csv"]:
        if len(values) > 1:
            out.append((where, "given %d times" % len(values)))
        item_schema = spec.get("items", {"type": "string"})
        for i, part in enumerate(values[0].split(",")):
            if part == "":
                out.append((where, "empty item %d in the comma-separated list" % i))
                continue
            check(part, dict(item_schema, type=item_schema.get("type", "string")), "%s[%d]" % (where, i), out)
        return
    if "array" in types:
        item_schema = spec.get("items", {"type": "string"})
        parsed = []
        for i, raw in enumerate(values):
            try:
                parsed.append(parse_scalar(raw, item_schema))
            except ValueError as e:
                out.append(("%s[%d]" % (where, i), str(e)))
        check(parsed, without_required(spec, type="array"), where, out)
        return
    if len(values) > 1:
        out.append((where, "given %d times" % len(values)))
    try:
        value = parse_scalar(values[0], spec)
    except ValueError as e:
        out.append((where, str(e)))
        return
    check(value, without_required(spec), where, out)


def check_query(raw, params, where, out):
    pairs = urllib.parse.parse_qsl(raw or "", keep_blank_values=True)
    given = {}
    for key, value in pairs:
        given.setdefault(key, []).append(value)
    for name, values in given.items():
        spec = params.get(name)
        if spec is None:
            out.append((where, "undocumented parameter %s" % json.dumps(name)))
            continue
        check_param(name, values, spec, "%s.%s" % (where, name), out)
    for name, spec in params.items():
        if spec.get("required") and name not in given:
            out.append((where, "missing required parameter %s" % json.dumps(name)))


def check_json_params(params, specs, where, out):
    """Parameters given as a JSON object (analytics batch queries): native JSON values, or strings that
    parse as the parameter's type; a single value where an array is documented counts as one item."""
    for name, value in params.items():
        spec = specs.get(name)
        if spec is None:
            out.append((where, "undocumented parameter %s" % json.dumps(name)))
            continue
        sub = "%s.%s" % (where, name)
        types = types_of(spec) or ["string"]
        if "array" in types and not isinstance(value, list):
            value = [value]
        if isinstance(value, list) and "array" in types:
            item_schema = spec.get("items", {})
            items = []
            for i, item in enumerate(value):
                if isinstance(item, str) and item_schema.get("type") not in (None, "string"):
                    try:
                        item = parse_scalar(item, item_schema)
                    except ValueError as e:
                        out.append(("%s[%d]" % (sub, i), str(e)))
                        continue
                items.append(item)
            check(items, without_required(spec, type="array"), sub, out)
            continue
        if isinstance(value, str) and "string" not in types:
            try:
                value = parse_scalar(value, spec)
            except ValueError as e:
                out.append((sub, str(e)))
                continue
        check(value, without_required(spec), sub, out)


# ---------------------------------------------------------------- contracts

class Contract:
    def __init__(self, name, doc):
        self.name = name
        self.doc = doc
        self.base_path = doc.get("base_path", "")
        self.errors = doc.get("errors")
        self.endpoints = {(e["method"].upper(), e["path"]): e for e in doc.get("endpoints", [])}
        self.list_endpoints = doc.get("list_endpoints", {})
        # a list endpoint can also be called directly: GET with its params as the query
        for path, spec in self.list_endpoints.items():
            key = ("GET", path)
            if key not in self.endpoints:
                self.endpoints[key] = {"method": "GET", "path": path, "query": spec["params"], "body": None,
                                       "response": spec["response"], "list_endpoint": True}

    def find(self, method, path):
        path = path.split("?", 1)[0]
        candidates = [path, path.rstrip("/") or "/"]
        if self.base_path and path.startswith(self.base_path + "/"):
            candidates.append(path[len(self.base_path):])
        for p in candidates:
            e = self.endpoints.get((method.upper(), p))
            if e is not None:
                return e
        return None


def load_contracts(directory):
    contracts = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                contracts[name[:-5]] = Contract(name[:-5], json.load(f))
    return contracts


# ---------------------------------------------------------------- exchanges

def check_exchange(contracts, ex):
    """Violations of one exchange as (where, what) pairs; None when the API has no contract."""
    contract = contracts.get(ex.get("api"))
    if contract is None:
        return None
    out = []
    method = str(ex.get("method", "")).upper()
    endpoint = contract.find(method, str(ex.get("path", "")))
    if endpoint is None:
        return [("endpoint", "not a published endpoint")]
    check_query(ex.get("query"), endpoint.get("query") or {}, "query", out)
    body = ex.get("request_body")
    if endpoint.get("body") is None:
        if body is not None:
            out.append(("request_body", "the endpoint takes no body"))
    elif body is None:
        out.append(("request_body", "missing request body"))
    else:
        check(body, endpoint["body"], "request_body", out)
        if "batch_rules" in endpoint and isinstance(body, dict):
            check_batch_request(contract, endpoint["batch_rules"], body, out)
    status = ex.get("status")
    response = ex.get("response_body")
    if status == 200:
        if response is None:
            out.append(("response_body", "no JSON body in a 200 answer"))
        else:
            check(response, endpoint["response"], "response_body", out)
            if "batch_rules" in endpoint and isinstance(response, dict):
                check_batch_answer(contract, body if isinstance(body, dict) else {}, response, out)
    elif contract.errors is not None:
        if response is None:
            out.append(("response_body", "no error body with status %s" % status))
        else:
            check(response, contract.errors, "response_body", out)
    return out


def batch_queries(body):
    queries = body.get("queries")
    return [q for q in queries if isinstance(q, dict)] if isinstance(queries, list) else []


def check_batch_request(contract, rules, body, out):
    queries = batch_queries(body)
    ids = [q.get("id") for q in queries]
    if rules.get("unique_ids"):
        for qid in sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1}):
            out.append(("request_body.queries", "query id %s is used more than once" % json.dumps(qid)))
    for i, q in enumerate(queries):
        where = "request_body.queries[%d]" % i
        if rules.get("depends_on_known_ids"):
            for dep in q.get("depends_on") or []:
                if dep not in ids:
                    out.append((where + ".depends_on", "%s names no query of this batch" % json.dumps(dep)))
                elif dep == q.get("id"):
                    out.append((where + ".depends_on", "a query depends on itself"))
        params = q.get("params")
        if not isinstance(params, dict):
            continue
        for name in rules.get("params_required", []):
            if name not in params:
                out.append((where + ".params", "missing required parameter %s" % json.dumps(name)))
        for name in rules.get("params_not_accepted", []):
            if name in params:
                out.append((where + ".params", "parameter %s is not accepted in batch queries" % json.dumps(name)))
        spec = contract.list_endpoints.get(q.get("endpoint"))
        if spec is not None:
            rest = {k: v for k, v in params.items() if k not in rules.get("params_not_accepted", [])}
            check_json_params(rest, spec["params"], where + ".params", out)


PAGING = ("total", "page", "page_size", "has_next", "has_prev")


def check_batch_answer(contract, body, response, out):
    results = response.get("results")
    if not isinstance(results, dict):
        return
    queries = {q.get("id"): q for q in batch_queries(body)}
    for qid in queries:
        if isinstance(qid, str) and qid not in results:
            out.append(("response_body.results", "no result for query %s" % json.dumps(qid)))
    for qid, result in results.items():
        where = "response_body.results.%s" % qid
        if queries and qid not in queries:
            out.append(("response_body.results", "result %s answers no query of the request" % json.dumps(qid)))
            continue
        if not isinstance(result, dict) or result.get("status") != "success":
            continue
        spec = contract.list_endpoints.get((queries.get(qid) or {}).get("endpoint"))
        if spec is None:
            continue
        data = result.get("data")
        if isinstance(data, list):
            paged = {"data": data}
            paged.update({k: result[k] for k in PAGING if k in result})
            errs = []
            check(paged, spec["response"], where, errs)
            for w, m in errs:
                if w == where and m.startswith("missing required member"):
                    m = m.replace("missing required member", "missing paging member beside data")
                out.append((w, m))
        elif isinstance(data, dict):
            check(data, spec["response"], where + ".data", out)
        else:
            out.append((where + ".data", "expected the page of a list endpoint (rows, or the paged object), got %s"
                        % json_type(data)))


def run(contracts_dir, exchanges_path, write=print):
    contracts = load_contracts(contracts_dir)
    count = violations = skipped = 0
    with open(exchanges_path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            count += 1
            try:
                ex = json.loads(line)
                if not isinstance(ex, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                write("- - -: line %d: not a JSON exchange (%s)" % (lineno, e))
                violations += 1
                continue
            found = check_exchange(contracts, ex)
            if found is None:
                skipped += 1
                continue
            for where, what in found:
                write("%s %s %s: %s: %s" % (ex.get("api"), str(ex.get("method", "")).upper(), ex.get("path"), where, what))
            violations += len(found)
    if skipped:
        print("%d exchanges skipped (no contract for their api)" % skipped, file=sys.stderr)
    write("%d exchanges, %d violations" % (count, violations))
    return violations


# ---------------------------------------------------------------- self-test

def self_test(contracts_dir):
    contracts = load_contracts(contracts_dir)
    for needed in ("ahrefs-v3", "dataforseo", "analytics"):
        if needed not in contracts:
            print("self-test: %s.json is missing from %s" % (needed, contracts_dir))
            return 1

    def dfs_answer(items, result_extra=None):
        result = {"items_count": len(items), "items": items}
        result.update(result_extra or {})
        return {"version": "0.1.20250101", "status_code": 20000, "status_message": "Ok.", "time": "0.1 sec.", "cost": 0.02,
                "tasks_count": 1, "tasks_error": 0,
                "tasks": [{"id": "01010101-0000-0000-0000-000000000000", "status_code": 20000, "status_message": "Ok.",
                           "time": "0.1 sec.", "cost": 0.02, "result_count": 1, "path": ["v3", "backlinks", "bulk_ranks", "live"],
                           "data": {"api": "backlinks", "function": "bulk_ranks", "targets": ["a.com"]}, "result": [result]}]}

    ranks_ok = dfs_answer([{"target": "a.com", "rank": 512}, {"target": "b.com", "rank": 88}])
    ranks_extra = dfs_answer([{"type": "bulk_ranks", "target": "a.com", "rank": 512}])
    ranks_float = dfs_answer([{"target": "a.com", "rank": 65.0}])
    metrics_ok = {"metrics": {"org_keywords": 10, "org_keywords_1_3": 1, "org_traffic": 100, "org_cost": None,
                              "paid_keywords": 0, "paid_pages": 0, "paid_traffic": 0, "paid_cost": 0}}
    rows = [{"utm_source": "google", "entrances": 10, "engaged_entrances": 5, "page_views": 30, "conversions": 1,
             "revenue": 12.5, "bounce_rate": 50.0}]
    batch_req = {"queries": [{"id": "src", "endpoint": "/stats/sources", "params": {"account_id": "acme", "period": "30d", "page": 1, "page_size": 100}},
                             {"id": "ov", "endpoint": "/stats/overview", "params": {"account_id": "acme"}}],
                 "options": {"fail_fast": False, "parallel_limit": 5, "include_timing": True}}
    paging = {"total": 1, "page": 1, "page_size": 100, "has_next": False, "has_prev": False}

    def batch_answer(src_result):
        return {"batch_id": "b1", "status": "completed",
                "results": {"src": src_result, "ov": {"status": "success", "data": {"traffic": {}}, "timing_ms": 3}},
                "meta": {"total_queries": 2, "successful": 2, "failed": 0, "skipped": 0, "total_timing_ms": 9}}

    def ex(api, method, path, query=None, body=None, status=200, response=None):
        return {"api": api, "method": method, "path": path, "query": query, "request_body": body, "status": status,
                "response_body": response}

    ba_body = {"select": ["domain_rating", "refdomains"], "targets": [{"url": "a.com", "mode": "domain", "protocol": "both"}]}
    cases = [
        # (name, exchange, expected: None = no violation, else a text one violation must contain)
        ("ahrefs metrics, good", ex("ahrefs-v3", "GET", "/site-explorer/metrics",
                                    "target=a.com&date=2026-11-01&mode=domain&country=us", response=metrics_ok), None),
        ("ahrefs metrics, bad mode enum", ex("ahrefs-v3", "GET", "/site-explorer/metrics",
                                             "target=a.com&date=2026-11-01&mode=everything", response=metrics_ok), "is not one of"),
        ("ahrefs domain-rating, missing required target", ex("ahrefs-v3", "GET", "/site-explorer/domain-rating", "date=2026-11-01",
                                                            response={"domain_rating": {"domain_rating": 51.0, "ahrefs_rank": None}}),
         "missing required parameter \"target\""),
        ("ahrefs domain-rating, undocumented mode", ex("ahrefs-v3", "GET", "/site-explorer/domain-rating",
                                                       "target=a.com&date=2026-11-01&mode=domain",
                                                       response={"domain_rating": {"domain_rating": 51.0, "ahrefs_rank": 10}}),
         "undocumented parameter \"mode\""),
        ("ahrefs bad date", ex("ahrefs-v3", "GET", "/site-explorer/backlinks-stats", "target=a.com&date=2026-13-01",
                               response={"metrics": {"live": 1, "all_time": 2, "live_refdomains": 1, "all_time_refdomains": 1}}),
         "is not a date"),
        ("ahrefs metrics-history, bad select item", ex("ahrefs-v3", "GET", "/site-explorer/metrics-history",
                                                       "target=a.com&date_from=2026-01-01&select=date,org_traffic,domain_rating",
                                                       response={"metrics": [{"date": "2026-01-01", "org_traffic": 5}]}),
         "\"domain_rating\" is not one of"),
        ("ahrefs batch-analysis, good", ex("ahrefs-v3", "POST", "/batch-analysis/batch-analysis", body=ba_body,
                                           response={"targets": [{"index": 0, "url": "a.com", "domain_rating": 51.5, "refdomains": 10}]}), None),
        ("ahrefs batch-analysis, unknown body field", ex("ahrefs-v3", "POST", "/batch-analysis/batch-analysis",
                                                         body=dict(ba_body, date="2026-11-01"), response={"targets": []}),
         "unknown member \"date\""),
        ("ahrefs batch-analysis, extra response member", ex("ahrefs-v3", "POST", "/batch-analysis/batch-analysis", body=ba_body,
                                                            response={"targets": [{"index": 0, "error": "bad target"}]}),
         "unknown member \"error\""),
        ("ahrefs batch-analysis, 101 targets", ex("ahrefs-v3", "POST", "/batch-analysis/batch-analysis",
                                                  body=dict(ba_body, targets=ba_body["targets"] * 101), response={"targets": []}),
         "more than maxItems 100"),
        ("ahrefs error body, good", ex("ahrefs-v3", "GET", "/site-explorer/metrics", "target=a.com&date=2026-11-01", status=429,
                                       response={"error": "rate limited"}), None),
        ("ahrefs error body, wrong shape", ex("ahrefs-v3", "GET", "/site-explorer/metrics", "target=a.com&date=2026-11-01",
                                              status=400, response={"message": "bad"}), "missing required member \"error\""),
        ("ahrefs unpublished endpoint", ex("ahrefs-v3", "POST", "/site-explorer/batch-metrics", body={}), "not a published endpoint"),
        ("ahrefs-v2 is skipped", ex("ahrefs-v2", "GET", "/", "from=domain_rating"), "SKIP"),
        ("dataforseo bulk_ranks, good (client nulls)", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live",
                                                         body=[{"targets": ["a.com", "b.com"], "rank_scale": None, "tag": None}],
                                                         response=ranks_ok), None),
        ("dataforseo bulk_ranks, oversized targets", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live",
                                                        body=[{"targets": ["t%d.com" % i for i in range(1001)], "tag": None}],
                                                        response=ranks_ok), "more than maxItems 1000"),
        ("dataforseo bulk_ranks, unknown task field", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live",
                                                         body=[{"targets": ["a.com"], "include_subdomains": True}], response=ranks_ok),
         "unknown member \"include_subdomains\""),
        ("dataforseo bulk_ranks, bad rank_scale", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live",
                                                     body=[{"targets": ["a.com"], "rank_scale": "one_million"}], response=ranks_ok),
         "is not one of"),
        ("dataforseo bulk_ranks, missing targets", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live",
                                                      body=[{"tag": "x"}], response=ranks_ok), "missing required member \"targets\""),
        ("dataforseo bulk_ranks, item with type", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live", body=[{"targets": ["a.com"]}],
                                                     response=ranks_extra), "unknown member \"type\""),
        ("dataforseo bulk_ranks, float rank", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live", body=[{"targets": ["a.com"]}],
                                                 response=ranks_float), "expected integer or null"),
        ("dataforseo bulk_ranks, item missing rank", ex("dataforseo", "POST", "/backlinks/bulk_ranks/live", body=[{"targets": ["a.com"]}],
                                                        response=dfs_answer([{"target": "a.com"}])), "missing required member \"rank\""),
        ("analytics batch, rows beside paging", ex("analytics", "POST", "/batch", body=batch_req,
                                                   response=batch_answer(dict({"status": "success", "data": rows, "timing_ms": 4}, **paging))), None),
        ("analytics batch, paged object", ex("analytics", "POST", "/batch", body=batch_req,
                                             response=batch_answer({"status": "success", "data": dict({"data": rows}, **paging)})), None),
        ("analytics batch, rows without paging", ex("analytics", "POST", "/batch", body=batch_req,
                                                    response=batch_answer({"status": "success", "data": rows})), "missing paging member"),
        ("analytics batch, extra row column", ex("analytics", "POST", "/batch", body=batch_req,
                                                 response=batch_answer({"status": "success", "data": dict({"data": [dict(rows[0], sessions=3)]}, **paging)})),
         "unknown member \"sessions\""),
        ("analytics batch, page_size over the maximum", ex("analytics", "POST", "/batch",
                                                           body={"queries": [{"id": "src", "endpoint": "/stats/sources",
                                                                              "params": {"account_id": "acme", "page_size": 500}}]},
                                                           response=batch_answer({"status": "success", "data": dict({"data": rows}, **paging)})),
         "more than maximum 100"),
        ("analytics batch, bad status enum", ex("analytics", "POST", "/batch", body=batch_req,
                                                response=batch_answer({"status": "done", "data": dict({"data": rows}, **paging)})), "is not one of"),
        ("analytics batch, non-alphanumeric id", ex("analytics", "POST", "/batch",
                                                    body={"queries": [{"id": "my-src", "endpoint": "/stats/sources", "params": {"account_id": "a"}}]},
                                                    response={"batch_id": "b", "status": "completed", "results": {"my-src": {"status": "error"}},
                                                              "meta": {}}), "does not match"),
        ("analytics batch, 51 queries", ex("analytics", "POST", "/batch",
                                           body={"queries": [{"id": "q%d" % i, "endpoint": "/stats/overview", "params": {"account_id": "a"}}
                                                             for i in range(51)]},
                                           status=422, response={"error": {"code": "validation_error", "message": "too many"}, "request_id": "r"}),
         "more than maxItems 50"),
    ]
    failures = 0
    for name, exchange, expected in cases:
        found = check_exchange(contracts, exchange)
        if expected == "SKIP":
            ok = found is None
        elif expected is None:
            ok = found == []
        else:
            ok = bool(found) and any(expected in what for _, what in found)
        if not ok:
            failures += 1
        print("%s %s%s" % ("ok  " if ok else "FAIL", name,
                           "" if ok else ": expected %s, got %s" % ("no violation" if expected is None else repr(expected), found)))
    print("self-test: %d cases, %d misjudged" % (len(cases), failures))
    return 1 if failures else 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    if len(argv) >= 2 and argv[1] == "--self-test":
        directory = argv[2] if len(argv) > 2 else os.path.join(here, "..", "..", "contracts")
        return self_test(directory)
    if len(argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    return 1 if run(argv[1], argv[2]) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
