"""%ovh and %%ovh in a real IPython shell, against the sandbox's OVHcloud API."""

from __future__ import annotations

import json
import logging
import shlex

import pandas as pd
import pytest

from ovhub_jupyter.core.accounts import REGISTRY, Account
from ovhub_jupyter.core.ovh import OvhClient
from ovhub_jupyter.core.ovh_keys import validate_consumer_key
from ovhub_jupyter.magics.base import MagicError


@pytest.fixture
def ip(shell, sandbox):
    """The shell with the sandbox's accounts registered."""
    shell.run_line_magic("ovhub", f"sandbox --url {sandbox.url}")
    return shell


def project_id(sandbox) -> str:
    return sandbox.config["ovh"]["project_id"]


def secrets_of(sandbox) -> list[str]:
    """Every secret of the sandbox's demo accounts."""
    config = sandbox.config
    return [
        config["ovh"]["application_secret"],
        config["ovh"]["consumer_key"],
        config["ovh"]["password"],
        config["ovh"]["client_secret"],
        config["hubic"]["client_secret"],
        config["hubic"]["refresh_token"],
        config["hubic"]["password"],
        config["swift"]["key"],
        config["keystone"]["password"],
    ]


def error_line(raised: pytest.ExceptionInfo[MagicError]) -> str:
    rendered = raised.value._render_traceback_()
    assert len(rendered) == 1
    return rendered[0]


# -- result shapes ------------------------------------------------------------------------------


def test_object_is_one_row(ip, sandbox):
    me = ip.run_line_magic("ovh", "GET /me")

    assert isinstance(me, pd.DataFrame)
    assert len(me) == 1
    assert me.loc[0, "nichandle"] == sandbox.config["ovh"]["nic"]
    assert me.loc[0, "currency.code"] == "EUR"


def test_method_is_case_insensitive(ip, sandbox):
    me = ip.run_line_magic("ovh", "get /me")

    assert me.loc[0, "nichandle"] == sandbox.config["ovh"]["nic"]


def test_ids_are_one_column(ip, sandbox):
    projects = ip.run_line_magic("ovh", "GET /cloud/project")

    assert list(projects.columns) == ["project"]
    assert projects["project"].tolist() == [project_id(sandbox)]


def test_scalar_answer_stays_value(ip):
    server_time = ip.run_line_magic("ovh", "GET /auth/time")

    assert isinstance(server_time, int)
    assert server_time > 1_700_000_000


def test_raw_returns_decoded_json(ip, sandbox):
    me = ip.run_line_magic("ovh", "GET /me --raw")

    assert isinstance(me, dict)
    assert me["nichandle"] == sandbox.config["ovh"]["nic"]
    assert me["currency"] == {"code": "EUR", "symbol": "EURO"}


def test_out_stores_variable(ip, sandbox):
    returned = ip.run_line_magic("ovh", "GET /me --out me")

    assert returned is None
    assert ip.user_ns["me"].loc[0, "nichandle"] == sandbox.config["ovh"]["nic"]


def test_expand_flattens_bills_with_dates(ip):
    ids = ip.run_line_magic("ovh", "GET /me/bill")

    bills = ip.run_line_magic("ovh", "GET /me/bill --expand")

    assert bills["bill"].tolist() == ids["bill"].tolist()
    assert bills["billId"].tolist() == ids["bill"].tolist()
    assert "error" not in bills.columns
    assert str(bills["date"].dtype).startswith("datetime64")
    assert str(bills["date"].dt.tz) == "UTC"
    assert bills["priceWithTax.value"].dtype == "float64"
    assert (bills["priceWithTax.value"] > bills["priceWithoutTax.value"]).all()


def test_bills_between_dates_are_filtered(ip, sandbox):
    bills = ip.run_line_magic("ovh", "GET /me/bill --expand")
    start = bills["date"].iloc[3].strftime("%Y-%m-%d")
    end = bills["date"].iloc[6].strftime("%Y-%m-%d")
    in_range = bills[(bills["date"] >= pd.Timestamp(start, tz="UTC")) & (bills["date"] <= pd.Timestamp(end, tz="UTC"))]

    between = ip.run_line_magic("ovh", f"GET /me/bill date.from={start} date.to={end}")

    assert len(bills) == 12
    assert len(between) == len(in_range) == 3
    assert between["bill"].tolist() == in_range["bill"].tolist()
    assert sandbox.requests()[-1]["query"] == f"date.from={start}&date.to={end}"


def test_empty_list_keeps_its_column(ip):
    bills = ip.run_line_magic("ovh", "GET /me/bill date.from=2999-01-01")

    assert list(bills.columns) == ["bill"]
    assert bills.empty


# -- writing calls ------------------------------------------------------------------------------


def test_put_then_projects_shows_description(ip, sandbox):
    project = project_id(sandbox)
    before = ip.run_line_magic("ovh", f"GET /cloud/project/{project} --raw")["description"]
    try:
        returned = ip.run_line_magic("ovh", f"put /cloud/project/{project} 'description=analytics team'")
        projects = ip.run_line_magic("ovh", "projects")
    finally:
        ip.run_line_magic("ovh", f"PUT /cloud/project/{project} " + shlex.quote("description:=" + json.dumps(before)))

    assert returned is None
    assert list(projects.columns) == ["project_id", "description", "status", "planCode", "creationDate"]
    assert projects["project_id"].tolist() == [project]
    assert projects.loc[0, "description"] == "analytics team"
    assert str(projects["creationDate"].dtype).startswith("datetime64")


def test_cell_body_creates_user_with_masked_password(ip, sandbox, capsys):
    project = project_id(sandbox)

    user = ip.run_cell_magic(
        "ovh", f"POST /cloud/project/{project}/user", '{\n  "description": "notebook user",\n  "role": "objectstore_operator"\n}'
    )
    user_id = int(user.loc[0, "id"])
    try:
        stored = ip.run_line_magic("ovh", f"GET /cloud/project/{project}/user/{user_id} --raw")
    finally:
        deleted = ip.run_line_magic("ovh", f"DELETE /cloud/project/{project}/user/{user_id}")

    password = user.loc[0, "password"]
    assert user.loc[0, "description"] == "notebook user"
    assert stored["username"] == user.loc[0, "username"]
    assert password.endswith("…")
    assert len(password) == 5
    assert "password" not in stored
    assert deleted is None
    assert capsys.readouterr().out == ""


def test_show_secrets_reveals_password(ip, sandbox):
    project = project_id(sandbox)

    ip.run_line_magic("ovh", f"POST /cloud/project/{project}/user description=revealed --show-secrets --raw --out user")
    user = ip.user_ns["user"]
    ip.run_line_magic("ovh", f"DELETE /cloud/project/{project}/user/{user['id']}")

    assert len(user["password"]) == 32
    assert not user["password"].endswith("…")


def test_storage_token_is_masked(ip, sandbox):
    access = ip.run_line_magic("ovh", f"POST /cloud/project/{project_id(sandbox)}/storage/access")

    assert access.loc[0, "token"].endswith("…")
    assert len(access.loc[0, "token"]) == 5
    assert isinstance(access.loc[0, "endpoints"], list)


def test_consumer_key_request_is_masked(ip):
    answer = ip.run_line_magic("ovh", "POST /auth/credential accessRules:='[{\"method\":\"GET\",\"path\":\"/me\"}]'")

    assert answer.loc[0, "state"] == "pendingValidation"
    assert answer.loc[0, "consumerKey"].endswith("…")
    assert len(answer.loc[0, "consumerKey"]) == 5


def test_line_parameters_complete_cell_body(ip, sandbox):
    project = project_id(sandbox)

    user = ip.run_cell_magic("ovh", f"POST /cloud/project/{project}/user description=from-line", '{"description": "from-cell"}')
    ip.run_line_magic("ovh", f"DELETE /cloud/project/{project}/user/{user.loc[0, 'id']}")

    assert user.loc[0, "description"] == "from-line"


# -- input rejected before any request ------------------------------------------------------------


def test_invalid_json_rejected_before_request(ip, sandbox):
    before = sandbox.request_count()

    with pytest.raises(MagicError) as raised:
        ip.run_cell_magic("ovh", f"POST /cloud/project/{project_id(sandbox)}/user", '{\n  "description": "x",\n  "role": \n}')

    line = error_line(raised)
    assert "invalid JSON in the cell at line 4 column 1" in line
    assert sandbox.request_count() == before


def test_cell_json_must_be_object(ip, sandbox):
    before = sandbox.request_count()

    with pytest.raises(MagicError, match="contains a JSON list, not an object"):
        ip.run_cell_magic("ovh", "POST /me", "[1, 2]")

    assert sandbox.request_count() == before


def test_get_with_cell_body_rejected(ip, sandbox):
    before = sandbox.request_count()

    with pytest.raises(MagicError, match="a GET sends no body"):
        ip.run_cell_magic("ovh", "GET /me", '{"a": 1}')

    assert sandbox.request_count() == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("PATCH /me", "unknown method or command 'PATCH'"),
        ("GET me", "invalid API path 'me'"),
        ("GET", "needs an API path"),
        ("GET /me/bill date.from", "invalid parameter 'date.from': expected NAME=VALUE"),
        ("POST /me roles:=[oops", "invalid JSON in parameter 'roles'"),
        ("POST /me --expand", "--expand works only with GET"),
        ("storage", "takes one project"),
        ("projects extra", "takes no argument"),
        ("GET /me --bogus", "unrecognized arguments: --bogus"),
    ],
)
def test_bad_line_is_rejected_before_request(ip, sandbox, line, message):
    before = sandbox.request_count()

    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("ovh", line)

    assert message in error_line(raised)
    assert sandbox.request_count() == before


def test_account_of_other_kind_rejected(ip):
    with pytest.raises(MagicError, match="'hubic' \\(hubic\\) is not an OVHcloud API account"):
        ip.run_line_magic("ovh", "GET /me --account hubic")


def test_missing_default_account_names_next_step(shell):
    with pytest.raises(MagicError) as raised:
        shell.run_line_magic("ovh", "GET /me")

    assert "no OVHcloud API account named 'ovh'" in error_line(raised)
    assert "%ovhub sandbox" in error_line(raised)


# -- API errors -----------------------------------------------------------------------------------


@pytest.fixture
def limited_account(ip, sandbox):
    """An account whose consumer key was validated with the one access rule GET /me."""
    config = sandbox.config["ovh"]
    application = OvhClient(config["endpoint"], config["application_key"], config["application_secret"])
    answer = application.request_consumer_key("GET:/me")
    validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0)
    client = OvhClient(config["endpoint"], config["application_key"], config["application_secret"], answer["consumerKey"])
    REGISTRY.register(Account(name="limited", kind="ovh", endpoint=client.base_url, client=client))
    return answer["consumerKey"]


def test_not_granted_call_names_code_and_hint(ip, limited_account):
    me = ip.run_line_magic("ovh", "GET /me --account limited")

    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("ovh", "GET /me/bill --account limited")

    line = error_line(raised)
    assert len(me) == 1
    assert "HTTP 403" in line
    assert "NOT_GRANTED_CALL" in line
    assert "X-Ovh-Queryid" in line
    assert "access rules do not allow this call" in line
    assert "%ovh_login" in line
    assert limited_account not in line


def test_not_found_error_is_one_line(ip):
    with pytest.raises(MagicError) as raised:
        ip.run_line_magic("ovh", "GET /me/bill/NOPE")

    line = error_line(raised)
    assert "GET '/me/bill/NOPE' failed" in line
    assert "HTTP 404" in line
    assert "X-Ovh-Queryid" in line


def test_short_errors_off_raises_original(ip):
    ip.run_line_magic("config", "OvhMagics.short_errors = False")
    try:
        with pytest.raises(FileNotFoundError):
            ip.run_line_magic("ovh", "GET /me/bill/NOPE")
    finally:
        ip.run_line_magic("config", "OvhMagics.short_errors = True")


# -- storage --------------------------------------------------------------------------------------


def test_storage_lists_project_containers(ip, sandbox):
    raw = ip.run_line_magic("ovh", f"GET /cloud/project/{project_id(sandbox)}/storage --raw")

    containers = ip.run_line_magic("ovh", f"storage {project_id(sandbox)}")

    assert list(containers.columns) == ["name", "region", "bytes", "objects"]
    assert containers["bytes"].dtype == "int64"
    assert len(containers) == len(raw)
    assert set(containers["region"]) == set(sandbox.config["ovh"]["regions"])
    data = containers[(containers["name"] == "notebooks-data") & (containers["region"] == "GRA")]
    assert len(data) == 1
    assert data["objects"].iloc[0] == 2
    assert data["bytes"].iloc[0] > 0


def test_storage_of_unknown_project_fails(ip):
    with pytest.raises(MagicError, match="no Public Cloud project 'nowhere'"):
        ip.run_line_magic("ovh", "storage nowhere")


# -- help, settings, secrets ----------------------------------------------------------------------


def test_help_prints_examples(ip, capsys):
    ip.run_line_magic("ovh", "--help")

    out = capsys.readouterr().out
    assert "%ovh GET /me/bill date.from=2024-01-01 date.to=2024-02-01" in out
    assert "%%ovh POST" in out
    assert "--show-secrets" in out


def test_config_lists_settings(ip, capsys):
    ip.run_line_magic("config", "OvhMagics")

    out = capsys.readouterr().out
    assert "expand_concurrency" in out
    assert "progress" in out
    assert "short_errors" in out


def test_no_secret_in_results_output_or_logs(ip, sandbox, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    project = project_id(sandbox)

    results = [
        ip.run_line_magic("ovh", "GET /me"),
        ip.run_line_magic("ovh", "GET /me/bill --expand"),
        ip.run_line_magic("ovh", "projects"),
        ip.run_line_magic("ovh", f"storage {project}"),
        ip.run_line_magic("ovh", f"POST /cloud/project/{project}/storage/access"),
        ip.run_line_magic("ovh", "GET /auth/currentCredential"),
    ]
    with pytest.raises(MagicError):
        ip.run_line_magic("ovh", "GET /me/bill/NOPE")

    texts = [result.to_string() for result in results]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    assert "GET" in caplog.text
    for secret in secrets_of(sandbox):
        for text in texts:
            assert secret not in text
