from emailtrack.common.identity import recipient_id_for


def test_same_person_same_id_regardless_of_case_and_spaces() -> None:
    assert recipient_id_for("t1", " Ada@Example.COM ") == recipient_id_for("t1", "ada@example.com")


def test_ids_differ_per_tenant_and_address() -> None:
    ids = {
        recipient_id_for("t1", "ada@example.com"),
        recipient_id_for("t2", "ada@example.com"),
        recipient_id_for("t1", "bob@example.com"),
    }
    assert len(ids) == 3
    assert all(i.startswith("r_") and len(i) == 26 for i in ids)
