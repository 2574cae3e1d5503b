def test_flow(world, firms, approved):
    case = approved()
    assert case.state == "offered" and case.assigned_firm == world.firm_a
