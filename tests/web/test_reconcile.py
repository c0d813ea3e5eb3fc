"""The W3C Reconciliation Service API v0.2 at /api/v1/reconcile: every answer validates against the
specification's own JSON schemas (shared/reconciliation-api-0.2), on both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7
from sqlalchemy import Engine
from tests.factories import make_uscc, subject
from tests.web.conftest import ACME, OTHER, PERSON_ID

from xinyong.codes import mask_ric
from xinyong.store import apply
from xinyong.web import reconcile as service
from xinyong.web.reconcile import BATCH_SIZE, region_label, region_prefixes

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "data" / "reconciliation-api-0.2"  # vendored copy of the spec files
URL = "/api/v1/reconcile"


def _registry() -> Registry:
    registry: Registry = Registry()
    for path in sorted((SPEC / "schemas").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        # The schemas declare "$schema": "http://json-schema.org/schema#" (no particular
        # draft); they are written in draft 7 (definitions, contains).
        registry = registry.with_resource(schema["$id"].rstrip("#"), DRAFT7.create_resource(schema))
    return registry


REGISTRY = _registry()


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SPEC / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=REGISTRY)


def assert_valid(name: str, instance: Any) -> None:
    errors = [e.message for e in validator(name).iter_errors(instance)]
    assert errors == [], f"not a valid {name}: {errors}"


def example(kind: str, validity: str, name: str) -> Any:
    return json.loads((SPEC / "examples" / kind / validity / name).read_text(encoding="utf-8"))


def examples(kind: str, validity: str) -> list[str]:
    return sorted(p.name for p in (SPEC / "examples" / kind / validity).glob("*.json"))


def cors(response: Any) -> bool:
    return response.headers.get("access-control-allow-origin") == "*"


def reconcile(client: TestClient, batch: dict[str, Any], method: str = "POST") -> Any:
    raw = json.dumps(batch, ensure_ascii=False)
    if method == "POST":
        response = client.post(URL, data={"queries": raw})
    else:
        response = client.get(URL, params={"queries": raw})
    assert response.status_code == 200, response.text
    assert cors(response)
    body = response.json()
    assert_valid("reconciliation-result-batch", body)
    assert set(body) == set(batch)
    return body


# --- the validator set-up agrees with the specification's own examples -----------------------

SCHEMA_EXAMPLES = {
    "manifest": "manifest",
    "reconciliation-query-batch": "reconciliation-query-batch",
    "reconciliation-result-batch": "reconciliation-result-batch",
    "suggest-entities-response": "suggest-entities-response",
    "suggest-properties-response": "suggest-properties-response",
    "suggest-types-response": "suggest-types-response",
}


@pytest.mark.parametrize(
    ("schema", "validity", "name"),
    [
        (schema, validity, name)
        for schema, kind in SCHEMA_EXAMPLES.items()
        for validity in ("valid", "invalid")
        for name in examples(kind, validity)
    ],
)
def test_the_schemas_accept_and_reject_the_spec_examples(
    schema: str, validity: str, name: str
) -> None:
    instance = example(SCHEMA_EXAMPLES[schema], validity, name)
    assert validator(schema).is_valid(instance) is (validity == "valid")


# --- manifest ------------------------------------------------------------------------------


def test_manifest_is_valid_and_declares_the_services(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert cors(response)
    manifest = response.json()
    assert_valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["batchSize"] == BATCH_SIZE
    assert manifest["defaultTypes"] == [
        {"id": "organisation", "name": manifest["defaultTypes"][0]["name"]}
    ]
    base = "http://testserver"
    assert manifest["view"]["url"] == f"{base}{URL}/view/{{{{id}}}}"
    assert manifest["preview"]["url"] == f"{base}{URL}/preview?id={{{{id}}}}"
    assert {"width", "height"} <= set(manifest["preview"])
    for kind in ("entity", "property", "type"):
        suggest = manifest["suggest"][kind]
        assert suggest["service_url"] + suggest["service_path"] == f"{base}{URL}/suggest/{kind}"
    assert client.get(URL + "/").json() == manifest  # a trailing slash: the same endpoint


# --- queries: GET and POST, batch size, malformed batches ---------------------------------------


def test_get_and_post_answer_the_same(client: TestClient) -> None:
    batch = {"q0": {"query": "深圳市锦泰网络科技有限公司"}, "q1": {"query": "台积电"}}
    assert reconcile(client, batch, "GET") == reconcile(client, batch, "POST")
    body = reconcile(client, batch)
    assert body["q0"]["result"][0]["id"] == f"cn-uscc-{OTHER}"
    assert body["q1"]["result"][0]["id"] == f"cn-uscc-{ACME}"


def test_multipart_post_works_and_json_body_is_415(client: TestClient) -> None:
    raw = json.dumps({"q": {"query": "台积电"}})
    response = client.post(URL, files={"queries": (None, raw)})
    assert response.status_code == 200
    assert response.json()["q"]["result"][0]["id"] == f"cn-uscc-{ACME}"
    response = client.post(URL, json={"q": {"query": "台积电"}})
    assert response.status_code == 415
    assert cors(response)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_batch_above_batch_size_is_413_with_cors(client: TestClient, method: str) -> None:
    batch = json.dumps({f"q{i}": {"query": "台积电"} for i in range(BATCH_SIZE + 1)})
    if method == "POST":
        response = client.post(URL, data={"queries": batch})
    else:
        response = client.get(URL, params={"queries": batch})
    assert response.status_code == 413
    assert cors(response)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert str(BATCH_SIZE) in problem["errors"][0]
    # exactly batchSize is fine
    full = {f"q{i}": {"query": "台积电"} for i in range(BATCH_SIZE)}
    assert len(reconcile(client, full, method)) == BATCH_SIZE


def test_the_minimal_spec_example_is_answered(client: TestClient) -> None:
    batch = example("reconciliation-query-batch", "valid", "example-min.json")
    body = reconcile(client, batch)
    assert body == {"q1": {"result": []}, "q2": {"result": []}}  # German politicians: not here


@pytest.mark.parametrize("name", examples("reconciliation-query-batch", "invalid"))
def test_the_specs_invalid_batches_are_422(client: TestClient, name: str) -> None:
    batch = example("reconciliation-query-batch", "invalid", name)
    response = client.post(URL, data={"queries": json.dumps(batch)})
    assert response.status_code == 422
    assert cors(response)
    assert response.json()["errors"]


@pytest.mark.parametrize("name", ["example-full.json", "multi-values.json", "no-query-string.json"])
def test_properties_this_service_does_not_have_are_422(client: TestClient, name: str) -> None:
    batch = example("reconciliation-query-batch", "valid", name)
    response = client.post(URL, data={"queries": json.dumps(batch)})
    assert response.status_code == 422
    assert all("unknown property" in e for e in response.json()["errors"])


def test_malformed_batches_list_every_reason(client: TestClient) -> None:
    response = client.get(URL, params={"queries": "{not json"})
    assert response.status_code == 422
    assert cors(response)
    batch = {
        "a": {"query": 5},
        "b": {"query": "x", "limit": 0},
        "c": {"query": "x", "properties": [{"pid": "region"}]},
        "d": "text",
    }
    response = client.post(URL, data={"queries": json.dumps(batch)})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e.split(":")[0] for e in errors] == [
        "queries.a.query",
        "queries.b.limit",
        "queries.c.properties[0]",
        "queries.d",
    ]
    response = client.post(URL, data={"query": "台积电"})
    assert response.status_code == 422
    assert cors(response)


# --- matching ----------------------------------------------------------------------------------


def test_a_code_property_finds_the_exact_subject(client: TestClient) -> None:
    batch = {
        "q0": {"query": "某个完全不同的名字", "properties": [{"pid": "code", "v": ACME.lower()}]},
        "q1": {
            "properties": [{"pid": "code", "v": OTHER}, {"pid": "region", "v": ["浙江", "深圳"]}]
        },
        "q3": {"properties": [{"pid": "code", "v": OTHER}, {"pid": "region", "v": "北京"}]},
        "q2": {
            "query": "台湾积体电路制造股份有限公司(台积电)",
            "properties": [{"pid": "code", "v": ACME}],
        },
    }
    body = reconcile(client, batch)
    for key, code in (("q0", ACME), ("q1", OTHER), ("q2", ACME)):
        [top] = body[key]["result"]
        assert top["id"] == f"cn-uscc-{code}"
        assert top["score"] == 100
        assert top["match"] is True
        features = {f["id"]: f["value"] for f in top["features"]}
        assert features["code_exact"] is True
        assert features["matched_on_code_exact"] is True
    assert {f["id"]: f["value"] for f in body["q1"]["result"][0]["features"]}["region_match"]
    [q3] = body["q3"]["result"]  # an exact code decides; a disagreeing region is reported
    assert (q3["score"], q3["match"]) == (100, True)
    assert {f["id"]: f["value"] for f in q3["features"]}["region_match"] is False
    # the name is reported, so a client can see the code and the name disagree
    assert {f["id"]: f["value"] for f in body["q0"]["result"][0]["features"]}["name_score"] < 0.5
    assert {f["id"]: f["value"] for f in body["q2"]["result"][0]["features"]}["name_score"] == 1.0


def test_an_entity_id_as_query_finds_the_entity(client: TestClient) -> None:
    body = reconcile(client, {"q": {"query": f"cn-uscc-{OTHER}"}})
    assert body["q"]["result"][0]["id"] == f"cn-uscc-{OTHER}"
    assert body["q"]["result"][0]["match"] is True


def test_a_valid_code_the_registry_does_not_have_counts_against_name_matches(
    client: TestClient,
) -> None:
    unknown = make_uscc("12345678", region="440305")
    batch = {
        "q": {
            "query": "深圳市锦泰网络科技有限公司",
            "properties": [{"pid": "code", "v": unknown}],
        }
    }
    [top] = reconcile(client, batch)["q"]["result"]
    assert top["id"] == f"cn-uscc-{OTHER}"
    assert top["match"] is False
    assert {f["id"]: f["value"] for f in top["features"]}["code_match"] is False
    assert top["score"] == 70


def test_a_name_without_its_region_matches_and_says_so(client: TestClient) -> None:
    batch = {
        "plain": {"query": "锦泰网络科技有限公司"},
        "here": {"query": "锦泰网络科技有限公司", "properties": [{"pid": "region", "v": "深圳"}]},
        "code": {"query": "锦泰网络科技有限公司", "properties": [{"pid": "region", "v": "440305"}]},
        "number": {
            "query": "锦泰网络科技有限公司",
            "properties": [{"pid": "region", "v": [440305.0, "浙江"]}],
        },
        "there": {
            "query": "锦泰网络科技有限公司",
            "properties": [{"pid": "region", "v": "浙江省"}],
        },
    }
    body = reconcile(client, batch)
    [plain] = body["plain"]["result"]
    assert plain["id"] == f"cn-uscc-{OTHER}"
    features = {f["id"]: f["value"] for f in plain["features"]}
    assert features["matched_on_name_without_region_or_form"] is True
    assert features["name_score"] == 0.96
    assert plain["score"] == 96
    assert plain["match"] is True
    for key in ("here", "code", "number"):
        [top] = body[key]["result"]
        assert top["score"] == 100
        assert top["match"] is True
        assert {f["id"]: f["value"] for f in top["features"]}["region_match"] is True
    [there] = body["there"]["result"]
    assert there["score"] == 71
    assert there["match"] is False
    assert {f["id"]: f["value"] for f in there["features"]}["region_match"] is False


def test_legal_representative_and_region_tell_namesakes_apart(
    client: TestClient, seeded: Engine
) -> None:
    east = make_uscc("11223344", region="330106")
    west = make_uscc("55667788", region="510104")
    apply(
        seeded,
        [
            subject(east, "华夏建设有限公司", region_code="330106", legal_representative="王五"),
            subject(west, "华夏建设有限公司", region_code="510104", legal_representative="赵六"),
        ],
        actor="test",
    )
    batch = {
        "name": {"query": "华夏建设有限公司"},
        "rep": {
            "query": "华夏建设有限公司",
            "properties": [{"pid": "legal_representative", "v": "赵 六"}],
        },
        "region": {
            "query": "华夏建设有限公司",
            "properties": [{"pid": "region", "v": ["浙江省杭州市西湖区"]}],
        },
        "only_rep": {"properties": [{"pid": "legal_representative", "v": "王五"}]},
    }
    body = reconcile(client, batch)
    namesakes = body["name"]["result"]
    assert {c["id"] for c in namesakes} == {f"cn-uscc-{east}", f"cn-uscc-{west}"}
    assert [c["match"] for c in namesakes] == [False, False]  # two exact names: no decision
    top, second = body["rep"]["result"]
    assert top["id"] == f"cn-uscc-{west}"
    assert top["match"] is True
    assert {f["id"]: f["value"] for f in top["features"]}["legal_representative_match"] is True
    assert {f["id"]: f["value"] for f in second["features"]}["legal_representative_match"] is False
    assert second["score"] == 85
    top, second = body["region"]["result"]
    assert top["id"] == f"cn-uscc-{east}"
    assert top["match"] is True
    assert second["score"] == 75
    [by_rep] = body["only_rep"]["result"]
    assert by_rep["id"] == f"cn-uscc-{east}"
    assert by_rep["match"] is False  # a legal representative alone never decides
    assert by_rep["features"][0] == {"id": "matched_on_legal_representative_exact", "value": True}


def test_limit_is_respected(client: TestClient, seeded: Engine) -> None:
    apply(
        seeded,
        [subject(make_uscc(f"2233440{i}"), f"锦泰贸易第{i}有限公司") for i in range(4)],
        actor="test",
    )
    body = reconcile(client, {"q": {"query": "锦泰", "limit": 2}, "r": {"query": "锦泰"}})
    assert len(body["q"]["result"]) == 2
    assert len(body["r"]["result"]) == 5
    scores = [c["score"] for c in body["r"]["result"]]
    assert scores == sorted(scores, reverse=True)


def test_personal_ids_never_appear_and_persons_are_not_entities(client: TestClient) -> None:
    masked = mask_ric(PERSON_ID)
    batch = {
        "id": {"query": PERSON_ID},
        "name": {"query": "张三"},
        "code": {"properties": [{"pid": "code", "v": PERSON_ID}]},
        "masked": {"query": masked},
    }
    response = client.post(URL, data={"queries": json.dumps(batch, ensure_ascii=False)})
    assert response.status_code == 200
    assert response.json() == {key: {"result": []} for key in batch}
    answers = [
        response,
        client.get(URL + "/suggest/entity", params={"prefix": PERSON_ID}),
        client.get(URL + "/suggest/entity", params={"prefix": "张三"}),
        client.get(URL + "/preview", params={"id": f"cn-uscc-{PERSON_ID}"}),
        client.get(URL + f"/view/cn-uscc-{PERSON_ID}", follow_redirects=False),
        client.get(URL, params={"queries": json.dumps({PERSON_ID: {"query": 5}})}),
    ]
    for answer in answers:
        assert PERSON_ID not in answer.text
        assert PERSON_ID[6:14] not in answer.text  # not even the birth date part
        assert cors(answer)
    for answer in answers[:3]:  # errors echo the id asked about, masked; answers never hold it
        assert masked not in answer.text
    assert answers[1].json() == {"result": []}
    assert answers[2].json() == {"result": []}
    assert answers[3].status_code == 404
    assert answers[4].status_code == 404
    assert answers[5].status_code == 422


# --- preview, view, suggest --------------------------------------------------------------------


def test_preview_is_small_escaped_html(client: TestClient, seeded: Engine) -> None:
    code = make_uscc("99887766", region="440305")
    apply(
        seeded,
        [subject(code, "<b>尖括号</b>有限公司", region_code="440305", legal_representative="李四")],
        actor="test",
    )
    response = client.get(URL + "/preview", params={"id": f"cn-uscc-{code}"})
    assert response.status_code == 200
    assert cors(response)
    assert response.headers["content-type"].startswith("text/html")
    assert "&lt;b&gt;尖括号&lt;/b&gt;有限公司" in response.text
    assert "<b>" not in response.text
    assert code in response.text
    assert "广东省 深圳市 南山区 (440305)" in response.text
    assert "李四" in response.text
    response = client.get(URL + "/preview", params={"id": "Q42"})
    assert response.status_code == 404
    assert cors(response)
    assert response.headers["content-type"] == "application/problem+json"


def test_view_redirects_to_the_subject_page(client: TestClient) -> None:
    response = client.get(URL + f"/view/cn-uscc-{ACME}", follow_redirects=False)
    assert response.status_code == 303
    assert cors(response)
    assert response.headers["location"] == f"/subjects/{ACME}"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "台积电" in page.text
    assert client.get(URL + "/view/nothing", follow_redirects=False).status_code == 404


def test_suggest_services_answer_valid_responses(client: TestClient) -> None:
    response = client.get(URL + "/suggest/entity", params={"prefix": "锦泰"})
    assert cors(response)
    body = response.json()
    assert_valid("suggest-entities-response", body)
    assert [r["id"] for r in body["result"]] == [f"cn-uscc-{OTHER}"]
    assert body["result"][0]["notable"] == [
        {"id": "organisation", "name": body["result"][0]["notable"][0]["name"]}
    ]
    by_id = client.get(URL + "/suggest/entity", params={"prefix": f"cn-uscc-{ACME}"}).json()
    assert [r["id"] for r in by_id["result"]] == [f"cn-uscc-{ACME}"]
    assert client.get(URL + "/suggest/entity", params={"prefix": "锦泰", "cursor": 1}).json() == {
        "result": []
    }
    assert client.get(URL + "/suggest/entity").json() == {"result": []}

    properties = client.get(URL + "/suggest/property", params={"prefix": "reg"}).json()
    assert_valid("suggest-properties-response", properties)
    assert [p["id"] for p in properties["result"]] == ["region"]
    everything = client.get(URL + "/suggest/property").json()
    assert [p["id"] for p in everything["result"]] == ["code", "legal_representative", "region"]

    types = client.get(URL + "/suggest/type", params={"prefix": "org"}).json()
    assert_valid("suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == ["organisation"]
    assert client.get(URL + "/suggest/type", params={"prefix": "person"}).json() == {"result": []}
    response = client.get(URL + "/suggest/type", params={"cursor": "x"})
    assert response.status_code == 422
    assert cors(response)


ROUTES = [
    URL,
    URL + "/",
    URL + f"/view/cn-uscc-{ACME}",
    URL + f"/preview?id=cn-uscc-{ACME}",
    URL + "/suggest/entity?prefix=x",
    URL + "/suggest/property?prefix=x",
    URL + "/suggest/type?prefix=x",
]


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_answers_cors_and_preflight(client: TestClient, route: str) -> None:
    response = client.get(route, follow_redirects=False)
    assert response.status_code in (200, 303)
    assert cors(response)
    preflight = client.options(
        route,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert cors(preflight)
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "content-type"


def test_every_reconciliation_route_is_covered_by_the_cors_test() -> None:
    methods: dict[str, set[str]] = {}
    for route in service.router.routes:
        assert isinstance(route, APIRoute)
        methods.setdefault(route.path, set()).update(route.methods)
    assert set(methods) == {
        route.split("?")[0].replace(f"cn-uscc-{ACME}", "{id}") for route in ROUTES
    }
    assert all("OPTIONS" in m and "GET" in m for m in methods.values())


# --- an OpenRefine session ---------------------------------------------------------------------


def test_an_openrefine_like_flow_of_three_names(client: TestClient, seeded: Engine) -> None:
    third = make_uscc("31415926", region="110105")
    apply(
        seeded,
        [
            subject(
                third, "北京字节跳动科技有限公司", region_code="110105", legal_representative="张一"
            )
        ],
        actor="test",
    )
    # 1. the user adds the service: OpenRefine reads the manifest
    manifest = client.get(URL).json()
    assert_valid("manifest", manifest)
    # 2. it suggests properties for the other columns
    assert client.get(URL + "/suggest/property", params={"prefix": "legal"}).json()["result"]
    # 3. it sends the rows in batches no larger than batchSize, as a form POST
    rows = ["臺灣積體電路製造股份有限公司（台積電）", "字节跳动", "锦泰网络"]
    batch = {
        f"q{i}": {"query": name, "type": "organisation", "type_strict": "should"}
        for i, name in enumerate(rows)
    }
    batch["q1"]["properties"] = [{"pid": "legal_representative", "v": "张一"}]
    assert_valid("reconciliation-query-batch", batch)
    assert len(batch) <= manifest["batchSize"]
    body = reconcile(client, batch)
    chosen = [body[f"q{i}"]["result"][0] for i in range(3)]
    assert [c["id"] for c in chosen] == [f"cn-uscc-{ACME}", f"cn-uscc-{third}", f"cn-uscc-{OTHER}"]
    assert chosen[0]["match"] is True  # traditional script and full-width brackets: exact
    assert [c["type"][0]["id"] for c in chosen] == ["organisation"] * 3
    # 4. hovering a candidate shows the preview, clicking it opens the view
    for candidate in chosen:
        preview = manifest["preview"]["url"].replace("{{id}}", quote(candidate["id"], safe=""))
        assert client.get(preview).status_code == 200
        view = manifest["view"]["url"].replace("{{id}}", quote(candidate["id"], safe=""))
        assert client.get(view, follow_redirects=False).status_code == 303
    # 5. a cell without a good candidate is matched by hand through entity suggest
    entity = manifest["suggest"]["entity"]
    suggest = client.get(entity["service_url"] + entity["service_path"], params={"prefix": "zjtd"})
    assert [r["id"] for r in suggest.json()["result"]] == [f"cn-uscc-{third}"]


# --- regions -----------------------------------------------------------------------------------


def test_region_values_read_as_division_prefixes() -> None:
    assert region_prefixes("330106") == ["330106"]
    assert region_prefixes("330100") == ["3301"]
    assert region_prefixes("33") == ["33"]
    assert region_prefixes("浙江") == ["33"]
    assert region_prefixes("杭州市") == ["3301"]
    assert region_prefixes("西湖区") == ["330106", "360103"]  # Hangzhou's and Nanchang's
    assert region_prefixes("浙江省杭州市西湖区") == ["330106"]
    assert region_prefixes("香港特別行政區") == ["81"]
    assert region_prefixes("Atlantis") == []
    assert region_label("330106") == "浙江省 杭州市 西湖区 (330106)"
    assert region_label("110105") == "北京市 朝阳区 (110105)"
