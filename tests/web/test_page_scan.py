"""Every page, as every role, in both languages: no 500, and each page speaks the person's language.

On PostgreSQL with the real diagrams, forms and the connector sandbox, :mod:`tests.web.scan_data`
builds cases at every stage (a manual check after a source outage, the reviews, 公示 with an
objection, the waiting list, lottery rounds, an offer, a lease with bills, a supervision
warning, a complaint). Then each demo user logs in and the scan follows the links of the pages
it is shown (GET only, same origin, a few pages per view) plus every page without parameters,
first in Chinese, then the same pages in English.

A Chinese page fails on an English status or code (from the data, the DMN tables, the
connectors and the error classes), a JSON dump or a Python repr; an English page on a dump or
repr, an id that is no English word (``in_review``, ``gongzufang``), or a Chinese text that has
English in a catalogue but was shown untranslated. Identifiers in ``<code>``, values in a
``<textarea>`` and documents quoted in ``<pre data-verbatim>`` are shown as they are on purpose.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import job_service
from app.web.catalogue import EN
from connectors.testing import FAST_SETTINGS
from tests.conftest import close, make_settings, truncate
from tests.processes.conftest import PROCESSES, ROOT, deploy, sandbox  # noqa: F401
from tests.web import scan_data
from tests.web.conftest import Browserless
from tests.web.page_scan import Findings, code_vocabulary, scan_codes, scan_repr, visible_text

#: every kind of person the demo has, and a visitor who is not logged in
ROLES = [None, "applicant", "applicant2", "applicant_nuclear", "applicant_spouse", "u101", "u102", "u103",
         "street_yz", "street_jb", "street_ddk", "street_yb", "district_yz", "minzheng", "zhujian", "renshe", "city",
         "jianguan_yz", "jianguan_jb", "ducha", "policy", "integrator", "operator", "manager_city", "manager_yz",
         "admin"]
#: pages of one view the scan opens at most (a case page looks the same for every case)
PER_VIEW = 2
#: views worth more pages: each task is at another step and shows other panels
PER_VIEW_OF = {"web.task_page.show": 8, "web.portal.application": 4, "web.portal.case": 4}
HREF_RE = re.compile(r'<a\b[^>]*?\bhref="([^"#]+)', re.I)
#: not pages: downloads, the language switch, logging out, the API, files
SKIP_RE = re.compile(r"^/(?:api/|static/|lang/|logout|vendor/)|\.(?:pdf|csv|xlsx|png|js|css|json|bpmn|dmn|xml)$|"
                     r"/(?:download|export|pdf|csv|xlsx|contract|files?|documents?)(?:/|$|\?)", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _route(adapter, url: str) -> str | None:
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method="GET")
    except HTTPException:
        return None
    return endpoint


def _links(html: str, base: str) -> list[str]:
    out = []
    for href in HREF_RE.findall(html):
        href = href.replace("&amp;", "&")
        absolute = urljoin("http://localhost" + base, href)
        parts = urlsplit(absolute)
        if parts.netloc != "localhost" or parts.scheme not in ("http", "https"):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _crawl(app, client: Browserless, who: str, start: list[str], findings: Findings) -> list[str]:
    """The pages ``client`` reaches from ``start``, scanned in Chinese; returns those that were HTML."""
    adapter = app.url_map.bind("localhost")
    seen, per_view, pages = set(), Counter(), []
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen or SKIP_RE.search(url.split("?")[0]):
            continue
        seen.add(url)
        endpoint = _route(adapter, url)
        if endpoint is None or endpoint == "static":
            continue
        per_view[endpoint] += 1
        if per_view[endpoint] > PER_VIEW_OF.get(endpoint, PER_VIEW) and url not in start:
            continue
        response = client.get(url)
        if response.status_code >= 500:
            findings.add("zh", who, url, f"HTTP {response.status_code}", response.get_data(as_text=True)[:200])
            continue
        if response.status_code in (301, 302, 303) and response.location:
            queue.extend(_links(f'<a href="{response.location}">', url))
            continue
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        pages.append(url)
        _dump("zh", who, url, html)
        for what, piece in scan_codes(visible_text(html), VOCABULARY[0]):
            findings.add("zh", who, url, what, piece)
        queue.extend(_links(html, url))
    return pages


def _with_english() -> set[str]:
    """Every Chinese text that has an English: the pages' catalogue and the forms' and diagrams'."""
    texts = set(EN)
    for folder in (ROOT / "forms", PROCESSES):
        texts |= set(json.loads((folder / "i18n" / "en.json").read_text(encoding="utf-8")))
    return {text for text in texts if "{" not in text}


def _english(client: Browserless, who: str, pages: list[str], findings: Findings) -> None:
    """The same pages in English: no dump or repr, no Chinese text that has an English in a catalogue."""
    translated = _with_english()
    client.get("/lang/en")
    for url in pages:
        response = client.get(url)
        if response.status_code >= 500:
            findings.add("en", who, url, f"HTTP {response.status_code}", "")
            continue
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue
        pieces = visible_text(response.get_data(as_text=True))
        _dump("en", who, url, response.get_data(as_text=True))
        for what, piece in scan_repr(pieces):
            findings.add("en", who, url, what, piece)
        for what, piece in scan_codes([(p, as_is) for p, as_is in pieces], EN_CODES[0]):
            if what.startswith("the code"):  # an id (``in_review``, ``gongzufang``) is no English word
                findings.add("en", who, url, what, piece)
        for piece, as_is in pieces:
            if not as_is and _HAN.search(piece) and piece in translated:
                findings.add("en", who, url, "Chinese with an English in a catalogue", piece)


def _dump(lang: str, who: str, url: str, html: str) -> None:
    """With ``HOUSING_SCAN_DUMP`` set, each page's visible text in a file of that folder (to read what was seen)."""
    folder = os.environ.get("HOUSING_SCAN_DUMP")
    if folder:
        path = Path(folder) / lang / who / (re.sub(r"[^\w.-]+", "_", url).strip("_") or "index")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(piece for piece, _code in visible_text(html)), encoding="utf-8")


VOCABULARY: list = [set()]
#: the codes that read as no English word either: snake_case ids and the housing types' pinyin
EN_CODES: list = [set()]
#: a source that fails is given up on within a second, so its manual check comes at once
SETTINGS = {**FAST_SETTINGS, "HOUSING_CONNECTOR_DEFAULT_JOB_ATTEMPTS": "2",
            "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF": "0.02", "HOUSING_CONNECTOR_DEFAULT_JOB_BACKOFF_CAP": "0.1"}


@pytest.fixture
def scan_app(pg_url, sandbox):  # noqa: F811
    """Every diagram deployed, the connectors pointed at the sandbox, jobs run at once."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    app = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms"), processes_dir=str(PROCESSES),
                                   sandbox_url=sandbox[0], extra=SETTINGS), runner=runner)
    with app.app_context():
        assert deploy(app.test_client(), app).status_code == 201
        yield app
    close(app)
    truncate(pg_url)


def test_every_page_as_every_role_speaks_the_language_chosen(scan_app, sandbox):  # noqa: F811
    began = time.monotonic()
    scan_data.build(sandbox[1])
    VOCABULARY[0] = code_vocabulary(PROCESSES)
    EN_CODES[0] = {w for w in VOCABULARY[0] if "_" in w} | {"gongzufang", "baozufang"}
    assert {"waiting", "active", "CircuitOpen", "income"} <= VOCABULARY[0]
    plain = [r.rule for r in scan_app.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and not SKIP_RE.search(r.rule)]
    findings, reached = Findings(), {}
    for username in ROLES:
        client = Browserless(scan_app, username)
        who = username or "visitor"
        pages = _crawl(scan_app, client, who, ["/", *plain], findings)
        reached[who] = len(pages)
        _english(client, who, pages, findings)
    assert reached["applicant"] > 5 and reached["city"] > 10, reached
    problems = sorted(set(findings.problems))
    assert not problems, (f"{len(problems)} problems on {sum(reached.values())} pages "
                          f"in {time.monotonic() - began:.0f} s:\n" + "\n".join(problems))
