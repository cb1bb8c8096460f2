"""What a site tells the hub of its connected candidates: changes only, the whole list now and then."""
from exam_server.sites.presence import FULL_EVERY, MAX_IDS, Reporter


def test_changes_only_after_the_first_full_list():
    reporter = Reporter()
    first = reporter.report({1, 2})
    assert first == {"full": True, "on": [1, 2], "off": []}
    reporter.accepted(first)
    nothing = reporter.report({1, 2})
    assert nothing == {"full": False, "on": [], "off": []}
    reporter.accepted(nothing)
    change = reporter.report({2, 3})
    assert change == {"full": False, "on": [3], "off": [1]}


def test_a_failed_exchange_sends_everything_next():
    reporter = Reporter()
    reporter.accepted(reporter.report({1}))
    reporter.report({1, 2})
    reporter.failed()
    assert reporter.report({1, 2})["full"] is True


def test_the_whole_list_again_now_and_then():
    reporter = Reporter()
    reporter.accepted(reporter.report({1}))
    fulls = 0
    for _ in range((FULL_EVERY + 1) * 2):  # each whole list follows FULL_EVERY lists of changes
        report = reporter.report({1})
        fulls += report["full"]
        reporter.accepted(report)
    assert fulls == 2


def test_lists_are_bounded():
    report = Reporter().report(set(range(1, MAX_IDS * 2)))
    assert len(report["on"]) == MAX_IDS
