#!/usr/bin/env python3
"""Drive a DataForSEO-compatible server with the official Python client and check what it parses.

    pip install dataforseo-client==2.1.10
    DATAFORSEO_BASE_URL=http://127.0.0.1:PORT/v3 DATAFORSEO_LOGIN=... DATAFORSEO_PASSWORD=... \
        python3 dataforseo_official_client.py

DATAFORSEO_BASE_URL is the API root including /v3, as in https://api.dataforseo.com/v3. The client
composes each URL as Configuration.host + a resource path that already starts with /v3
(e.g. /v3/backlinks/bulk_ranks/live), so the host given to the client is the base URL without its /v3.

Calls the seven Backlinks bulk endpoints with the client's own request models, first with only
`targets` set (the client then sends every other task field as an explicit null), then again with
`tag` (and rank_scale="one_hundred" where the model has it), plus GET appendix/user_data, and checks:
  - the call succeeds and the answer parses into the client's model classes;
  - top-level and task status_code are 20000;
  - each item has every field of its model filled (not None); items_count/result_count/tasks_count agree;
  - no parsed object anywhere carries additional_properties (members the models do not declare);
  - tag comes back in the task's data; with rank_scale one_hundred, rank is at most 100.
Prints `ok <endpoint>: N items` or `FAIL <endpoint>: <reason>` per call; exits 1 if any call failed.
"""
import os
import sys

try:
    import dataforseo_client
    from dataforseo_client.api.appendix_api import AppendixApi
    from dataforseo_client.api.backlinks_api import BacklinksApi
    from dataforseo_client.rest import ApiException
    from pydantic import BaseModel
except ImportError as error:  # pragma: no cover
    print("FAIL setup: the official client is not importable (%s); pip install dataforseo-client==2.1.10" % error)
    sys.exit(1)

M = dataforseo_client.models

DOMAINS = ["example.com", "example.org", "example.net"]
PAGES = ["https://example.com/", "https://example.com/blog/post", "example.org"]
TAG = "seopipe-contract-check"

# (endpoint, client method, model stem, targets)
ENDPOINTS = [
    ("bulk_ranks", "bulk_ranks_live", "BacklinksBulkRanksLive", DOMAINS),
    ("bulk_backlinks", "bulk_backlinks_live", "BacklinksBulkBacklinksLive", DOMAINS),
    ("bulk_spam_score", "bulk_spam_score_live", "BacklinksBulkSpamScoreLive", DOMAINS),
    ("bulk_referring_domains", "bulk_referring_domains_live", "BacklinksBulkReferringDomainsLive", DOMAINS),
    ("bulk_new_lost_backlinks", "bulk_new_lost_backlinks_live", "BacklinksBulkNewLostBacklinksLive", DOMAINS),
    ("bulk_new_lost_referring_domains", "bulk_new_lost_referring_domains_live", "BacklinksBulkNewLostReferringDomainsLive", DOMAINS),
    ("bulk_pages_summary", "bulk_pages_summary_live", "BacklinksBulkPagesSummaryLive", PAGES),
]

# Item fields that may be null: a page whose backlinks were never lost has no lost_date (the published examples
# show "lost_date": null), and a count map the index has no breakdown for is null (the models make every map
# Optional; the sandbox answers null for about one target in ten, so the client's handling of it is exercised).
MAY_BE_NULL = {
    "bulk_pages_summary": {
        "lost_date", "referring_links_tld", "referring_links_types", "referring_links_attributes",
        "referring_links_platform_types", "referring_links_semantic_locations", "referring_links_countries",
    }
}


class Failure(Exception):
    pass


def model_fields(cls):
    return [name for name in cls.model_fields if name != "additional_properties"]


def unknown_members(obj, where):
    """Paths of every parsed model object (recursively) that kept members its model does not declare."""
    found = []
    if isinstance(obj, BaseModel):
        extra = getattr(obj, "additional_properties", None) or {}
        if extra:
            found.append("%s: %s" % (where, ", ".join(sorted(extra))))
        for name in model_fields(type(obj)):
            found.extend(unknown_members(getattr(obj, name), "%s.%s" % (where, name)))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            found.extend(unknown_members(item, "%s[%d]" % (where, i)))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, (BaseModel, list)):
                found.extend(unknown_members(value, "%s[%r]" % (where, key)))
    return found


def expect_envelope(answer, response_cls, task_cls, result_cls):
    if not isinstance(answer, response_cls):
        raise Failure("the answer parsed as %s, not %s" % (type(answer).__name__, response_cls.__name__))
    if answer.status_code != 20000:
        raise Failure("status_code %r (%s), expected 20000" % (answer.status_code, answer.status_message))
    if not answer.tasks:
        raise Failure("no tasks in the answer")
    if answer.tasks_count != len(answer.tasks):
        raise Failure("tasks_count %r but %d tasks" % (answer.tasks_count, len(answer.tasks)))
    task = answer.tasks[0]
    if not isinstance(task, task_cls):
        raise Failure("tasks[0] parsed as %s, not %s" % (type(task).__name__, task_cls.__name__))
    if task.status_code != 20000:
        raise Failure("task status_code %r (%s), expected 20000" % (task.status_code, task.status_message))
    if not task.result:
        raise Failure("task result is %r" % (task.result,))
    if task.result_count != len(task.result):
        raise Failure("result_count %r but %d results" % (task.result_count, len(task.result)))
    for i, result in enumerate(task.result):
        if not isinstance(result, result_cls):
            raise Failure("result[%d] parsed as %s, not %s" % (i, type(result).__name__, result_cls.__name__))
    problems = []
    extra = unknown_members(answer, "answer")
    if extra:
        problems.append("members the client models do not declare (additional_properties): " + "; ".join(extra))
    return task, problems


def check_bulk(api, endpoint, method, stem, targets, with_options):
    request_cls = getattr(M, stem + "RequestInfo")
    fields = {"targets": list(targets)}
    if with_options:
        fields["tag"] = TAG
        if "rank_scale" in request_cls.model_fields:
            fields["rank_scale"] = "one_hundred"
    request = request_cls(**fields)
    answer = getattr(api, method)([request])
    task, problems = expect_envelope(answer, getattr(M, stem + "ResponseInfo"), getattr(M, stem + "TaskInfo"),
                                     getattr(M, stem + "ResultInfo"))
    item_cls = getattr(M, stem + "Item")
    result = task.result[0]
    items = result.items or []
    if result.items_count != len(items):
        problems.append("items_count %r but %d items" % (result.items_count, len(items)))
    if len(items) != len(targets):
        problems.append("%d items for %d targets" % (len(items), len(targets)))
    if "total_count" in model_fields(type(result)) and result.total_count is None:
        problems.append("result total_count is None")
    allowed_null = MAY_BE_NULL.get(endpoint, set())
    for i, item in enumerate(items):
        if not isinstance(item, item_cls):
            problems.append("items[%d] parsed as %s, not %s" % (i, type(item).__name__, item_cls.__name__))
            continue
        empty = [name for name in model_fields(item_cls) if getattr(item, name) is None and name not in allowed_null]
        if empty:
            problems.append("items[%d] (%s) has no value (None) for %s"
                            % (i, getattr(item, "target", None) or getattr(item, "url", None), ", ".join(empty)))
    if with_options:
        data = task.data or {}
        if data.get("tag") != TAG:
            problems.append("task data carries tag %r, expected %r" % (data.get("tag"), TAG))
        if fields.get("rank_scale") == "one_hundred":
            high = [(i, item.rank) for i, item in enumerate(items) if item.rank is not None and item.rank > 100]
            if high:
                problems.append("rank_scale one_hundred but rank above 100 (item, rank): %s" % high)
    if problems:
        raise Failure(" | ".join(problems))
    return "%d items" % len(items)


def check_user_data(api):
    answer = api.user_data()
    task, problems = expect_envelope(answer, M.AppendixUserDataResponseInfo, M.AppendixUserDataTaskInfo,
                                     M.AppendixUserDataResultInfo)
    result = task.result[0]
    empty = [name for name in ("login", "timezone", "rates", "money", "price") if getattr(result, name) is None]
    if result.money is not None:
        empty += ["money.%s" % name for name in ("total", "balance") if getattr(result.money, name) is None]
    if empty:
        problems.append("result has no value (None) for %s" % ", ".join(empty))
    if problems:
        raise Failure(" | ".join(problems))
    return "balance %s" % result.money.balance


def main():
    missing = [name for name in ("DATAFORSEO_BASE_URL", "DATAFORSEO_LOGIN", "DATAFORSEO_PASSWORD") if not os.environ.get(name)]
    if missing:
        print("FAIL setup: set %s (seopipe sandbox prints them)" % ", ".join(missing))
        return 1
    base = os.environ["DATAFORSEO_BASE_URL"].rstrip("/")
    host = base[:-len("/v3")] if base.endswith("/v3") else base
    configuration = dataforseo_client.Configuration(host=host, username=os.environ["DATAFORSEO_LOGIN"],
                                                    password=os.environ["DATAFORSEO_PASSWORD"])
    failures = 0
    with dataforseo_client.ApiClient(configuration) as client:
        backlinks = BacklinksApi(client)
        calls = []
        for endpoint, method, stem, targets in ENDPOINTS:
            calls.append((endpoint, lambda e=endpoint, m=method, s=stem, t=targets: check_bulk(backlinks, e, m, s, t, False)))
        for endpoint, method, stem, targets in ENDPOINTS:
            label = endpoint + (" (tag, rank_scale=one_hundred)" if "rank_scale" in getattr(M, stem + "RequestInfo").model_fields
                                else " (tag)")
            calls.append((label, lambda e=endpoint, m=method, s=stem, t=targets: check_bulk(backlinks, e, m, s, t, True)))
        calls.append(("user_data", lambda: check_user_data(AppendixApi(client))))
        for label, call in calls:
            try:
                print("ok %s: %s" % (label, call()))
            except Failure as failure:
                failures += 1
                print("FAIL %s: %s" % (label, failure))
            except ApiException as error:
                failures += 1
                body = (error.body or "").strip().replace("\n", " ")
                print("FAIL %s: HTTP %s %s%s" % (label, error.status, error.reason or "", (": " + body[:300]) if body else ""))
            except Exception as error:  # a pydantic ValidationError: the answer does not fit the client's models
                failures += 1
                text = " ".join(str(error).split())
                print("FAIL %s: %s: %s" % (label, type(error).__name__, text[:600]))
    print("%d calls, %d failed" % (len(calls), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
