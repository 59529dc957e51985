from tests.support import ProjectObjects, client_for
from tests.urlwalk import DUMMY, is_portal, routes, snapshot, url_with


def test_a_client_contact_posting_to_any_non_portal_object_url_changes_nothing(
    client_contact, project_objects: ProjectObjects
) -> None:
    """The workspace, invitations, the ledger and every other app's object pages: whatever a
    contact posts there, with the ids of their own project, is refused and nothing changes."""
    http = client_for(client_contact)
    targets = [
        route
        for route in routes()
        if not is_portal(route) and route.kwargs & project_objects.ids.keys()
    ]
    assert {"invitation_send", "milestones:signoff_ledger", "milestones:signoff_certificate"} <= {
        r.name for r in targets
    }
    before = snapshot()
    for route in targets:
        url = url_with(route, DUMMY | project_objects.ids)
        data = {"title": "x", "email": "x@acme.example", "full_name": "X", "status": "done"}
        assert http.post(url, data).status_code in (403, 404, 405), url
    assert snapshot() == before
