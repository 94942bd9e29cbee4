import pytest
from casegraph.app import ids
from tests.support import login, wait_nodes
pytestmark = pytest.mark.browser

def test_shot(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    alert = max(ui.state().list_alerts("rings", limit=1000), key=lambda a: len(a["entities"]))
    from casegraph.app.pages._tables import explorer_href
    from casegraph.cases import alert_node_ids
    login(dash_duo, "inv", app=ui_app, path=explorer_href(alert_node_ids(alert), alert["id"]))
    dash_duo.driver.set_window_size(1600, 1000)
    wait_nodes(dash_duo, lambda n: len(n) > 3)
    import time; time.sleep(2)
    dash_duo.driver.save_screenshot("/tmp/shots/explorer.png")
