from exam_server.services.paper import Office


def test_papers_name_a_session_with_its_hall_in_either_language():
    assert Office(locale="id").session_label("Sesi 1", "Melati") == "Sesi 1, Ruang Melati"
    assert Office(locale="en").session_label("Sesi 1", "Melati") == "Sesi 1, hall Melati"
    assert Office(locale="id").session_label("Sesi 1", None) == "Sesi 1"
