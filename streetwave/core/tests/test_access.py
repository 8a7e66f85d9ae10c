import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import Http404

from streetwave.core.access import TOKEN_MAX_LENGTH, get_for_link

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("token", ["", "x" * (TOKEN_MAX_LENGTH + 1)])
def test_an_empty_or_overlong_token_is_a_404_without_a_query(token, django_assert_num_queries):
    # given a token no link of ours carries
    # when it is looked up, then the answer is a 404 and the database is not asked
    with django_assert_num_queries(0), pytest.raises(Http404):
        get_for_link(get_user_model().objects.all(), token, field="public_id")


def test_a_forged_signed_link_is_a_404_without_a_query(django_assert_num_queries):
    # given a link signed with another purpose than the one it is checked for
    token = signing.Signer(salt="one purpose").sign("abc")

    # when it is looked up for another purpose, then it is a 404 and the database is not asked
    with django_assert_num_queries(0), pytest.raises(Http404):
        get_for_link(
            get_user_model().objects.all(),
            token,
            field="public_id",
            decode=signing.Signer(salt="another purpose").unsign,
        )


def test_an_unknown_token_is_a_404():
    # given no row whose hash matches, when the token is looked up, then it is a 404
    with pytest.raises(Http404):
        get_for_link(get_user_model().objects.all(), "n" * 43, field="email")
