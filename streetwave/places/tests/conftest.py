import pytest

from streetwave.places.services import load_places

# Germany, Belgium and Iran: Latin, Persian and Arabic spellings, and a capital whose
# neighbouring municipalities sit a few kilometres away. Enough to exercise every path.
SAMPLE_COUNTRIES = ("DE", "BE", "IR")


@pytest.fixture
def places(db):
    return load_places(countries=SAMPLE_COUNTRIES)
