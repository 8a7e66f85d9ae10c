"""Steps on a Leaflet map that the map tests share."""

# Leaflet marks the map while it zooms, and markercluster while clusters split or merge.
_ANIMATING = ".leaflet-zoom-anim, .leaflet-cluster-anim"


def settle(page) -> None:
    """Waits until the map has stopped moving: however slow the machine, no fixed sleep."""
    page.wait_for_timeout(50)
    page.wait_for_function(f"() => !document.querySelector({_ANIMATING!r})")


def open_a_popup(page):
    """Clicks clusters until markers show, then the first marker; returns the popup."""
    markers = page.locator(".action-marker:visible")
    for _zoom in range(8):
        if markers.count():
            break
        page.locator(".marker-cluster:visible").first.click()
        settle(page)
    markers.first.click()
    popup = page.locator(".map-popup")
    popup.wait_for()
    return popup
