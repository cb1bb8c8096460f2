"""A bank and a candidate list full of script payloads: nothing runs on the kiosk or in the proctor console."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.integration.conftest import ExamCli, ServerProcess, make_services
from tests.integration.sockets import STAFF_PASSWORDS, logged_in_proctor

pytestmark = pytest.mark.browser

# Each payload, if it ever ran, would set window.__pwned or open a dialog.
PAYLOADS = [
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='onerror'\">",
    "<a href=\"javascript:window.__pwned='href'\">klik</a>",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">gaya</div>",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
]
# The import skips a question that would lose its picture, drawing or frame: those payloads never reach the kiosk.
NEVER_DELIVERED = ("<img src=x", "<svg", "<iframe", "<math><mtext><img")
DELIVERED = [payload for payload in PAYLOADS if not payload.startswith(NEVER_DELIVERED)]


def hostile_bank() -> str:
    items = []
    for i, payload in enumerate(PAYLOADS, start=1):
        items.append(f"::X{i}:: [html]Soal {i} {payload.replace('=', chr(92) + '=').replace('{', chr(92) + '{').replace('}', chr(92) + '}').replace(':', chr(92) + ':')} {{\n"
                     f"=[html]Benar {payload.replace('=', chr(92) + '=').replace(':', chr(92) + ':')}\n~[html]Salah <b>tebal</b>\n}}\n")
    return "$CATEGORY: Uji\n\n" + "\n".join(items)


BLUEPRINT = f"""code = "XSS-1"
title = "Ujian <script>window.__pwned='title'</script>"
duration_minutes = 30
instructions = "<img src=x onerror=alert('instr')>"

[[sections]]
name = "Uji"
bank = "jahat"
count = {len(DELIVERED)}
scoring = "right_wrong"
correct = 1
"""

ROSTER = ("participant_number,name,password\n"
          "X-1,\"<img src=x onerror=alert('nama')>\",sandi-x1-aman\n"
          "X-2,<script>window.__pwned='name'</script>,sandi-x2-aman\n")


@pytest.fixture
def hostile_server(tmp_path):
    from exam_server.clock import SystemClock
    from exam_server.services import banks, exams, sessions, users

    cli = ExamCli(tmp_path / "data", f"sqlite:///{tmp_path / 'exam.db'}")
    services = make_services(cli.data_dir, cli.database_url, SystemClock())
    report = banks.import_bank(services, hostile_bank().encode(), "jahat.gift", bank_code="jahat")
    assert report["imported"] == len(DELIVERED) and len(report["skipped"]) == len(PAYLOADS) - len(DELIVERED)
    exams.create_exam(services, BLUEPRINT)
    users.add_user(services, "proctor", "pengawas", STAFF_PASSWORDS["pengawas"])
    opened = sessions.create_session(services, "XSS-1", "Sesi <b>jahat</b>", ROSTER.encode(), proctors=("pengawas",))
    services.close()
    server = ServerProcess(cli.data_dir, cli.database_url).start()
    server.session = opened
    yield server
    server.stop()


def watch_for_payloads(page, dialogs: list):
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))


def dangerous_elements(page) -> list[str]:
    """Elements that could run code: inline scripts, frames, handlers, javascript: URLs (text is fine)."""
    return page.evaluate(r"""() => {
        const found = [];
        for (const element of document.querySelectorAll('*')) {
            if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(element.tagName) && !element.src) found.push(element.tagName);
            if (['IFRAME', 'OBJECT', 'EMBED'].includes(element.tagName)) found.push(element.tagName);
            for (const attribute of element.attributes) {
                if (attribute.name.startsWith('on') || /javascript:|url\(/i.test(attribute.value)) {
                    found.push(element.tagName + ' ' + attribute.name);
                }
            }
        }
        return found;
    }""")


def assert_nothing_ran(page, dialogs):
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None


def test_no_payload_runs_on_the_kiosk_or_in_the_console(hostile_server, browsing):
    dialogs: list[str] = []
    kiosk = browsing.new_page()
    watch_for_payloads(kiosk, dialogs)
    kiosk.goto(hostile_server.url + "/")
    kiosk.fill("#session-token", hostile_server.session["session_token"])
    kiosk.fill("#participant-number", "X-1")
    kiosk.fill("#password", "sandi-x1-aman")
    kiosk.click("#login-submit")
    kiosk.click("#start-btn")
    expect(kiosk.locator("#screen-exam")).to_be_visible()
    for position in range(len(DELIVERED)):
        expect(kiosk.locator("#q-options .option")).to_have_count(2)
        kiosk.locator("#q-options .option").first.click()
        browsing.shot(kiosk, f"kiosk-item-{position + 1}")
        kiosk.keyboard.press("n")
    # The stems kept their harmless text and lost every script, handler and javascript: link.
    assert dangerous_elements(kiosk) == []
    proctor = logged_in_proctor(hostile_server)
    announced = proctor.call("announce", {"session_id": hostile_server.session["session_id"],
                                          "text": "<img src=x onerror=\"window.__pwned='announce'\">"})
    assert announced["ok"], announced
    expect(kiosk.locator("#toasts .toast")).to_contain_text("<img src=x onerror")  # shown as text
    browsing.shot(kiosk, "announcement-as-text")
    assert_nothing_ran(kiosk, dialogs)

    console = browsing.new_page(1366, 900)
    watch_for_payloads(console, dialogs)
    console.goto(hostile_server.url + "/proctor")
    console.fill("#username", "pengawas")
    console.fill("#password", STAFF_PASSWORDS["pengawas"])
    console.click("#login-submit")
    console.locator(f'#session-rows button[data-session-id="{hostile_server.session["session_id"]}"]').click()
    expect(console.locator("#grid .tile")).to_have_count(2)
    expect(console.locator("#grid .tile .name").get_by_text("<script>window.__pwned='name'</script>")).to_be_visible()  # a name, as text
    browsing.shot(console, "console-names-as-text")
    assert_nothing_ran(console, dialogs)
    assert dangerous_elements(console) == []
    assert [e for e in browsing.errors if "page error" in e] == []
