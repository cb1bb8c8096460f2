"""Spreadsheet cells a candidate controls never become formulas."""

def test_formulas_are_neutralised_and_negative_scores_are_not():
    from exam_server.services.exports import neutralise

    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("+1+1") == "'+1+1" and neutralise("-2+3") == "'-2+3"
    assert neutralise("-4.00") == "-4.00" and neutralise("12") == "12" and neutralise(5) == 5
