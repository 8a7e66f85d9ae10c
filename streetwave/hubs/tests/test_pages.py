import pytest

from streetwave.hubs.models import Hub

pytestmark = pytest.mark.django_db


def test_hub_page_shows_actions_and_the_tree_but_never_people(client, make_hub, make_action):
    root = make_hub("Toronto hub")
    child = make_hub("Montreal hub", sponsor=root)
    make_hub("Hidden proposal", sponsor=root, status=Hub.Status.PROPOSED)
    make_action(hub=root, title="Vigil at Mel Lastman Square")
    html = client.get(f"/en/h/{root.public_id}/").content.decode()
    assert "Vigil at Mel Lastman Square" in html
    assert "Montreal hub" in html and "Hidden proposal" not in html
    child_html = client.get(f"/en/h/{child.public_id}/").content.decode()
    assert "Sponsored by" in child_html and "Toronto hub" in child_html
    assert (child.depth, child.path) == (1, f"{root.public_id}/{child.public_id}")


def test_a_proposed_hub_is_a_404(client, make_hub):
    proposed = make_hub(status=Hub.Status.PROPOSED)
    assert client.get(f"/en/h/{proposed.public_id}/").status_code == 404


def test_descendants_are_one_query(make_hub, django_assert_num_queries):
    root = make_hub("root")
    level1 = make_hub("a", sponsor=root)
    make_hub("b", sponsor=level1)
    make_hub("other")
    with django_assert_num_queries(1):
        names = sorted(Hub.objects.descendants_of(root).values_list("name", flat=True))
    assert names == ["a", "b"]
