"""Spreadsheet cells a candidate controls never become formulas."""

def test_formulas_are_neutralised_and_negative_scores_are_not():
    from exam_server.services.exports import neutralise

    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("+1+1") == "'+1+1" and neutralise("-2+3") == "'-2+3"
    assert neutralise("-4.00") == "-4.00" and neutralise("12") == "12" and neutralise(5) == 5


def test_a_text_only_column_quotes_number_like_values_too():
    from exam_server.services.exports import neutralise

    assert neutralise("+1", numbers_stay=False) == "'+1" and neutralise("-4.00", numbers_stay=False) == "'-4.00"
    assert neutralise("P-001", numbers_stay=False) == "P-001" and neutralise("+1") == "+1"
