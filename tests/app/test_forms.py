"""app/forms.py: the controls every page builds, one library (Mantine), the values callbacks get."""
from __future__ import annotations

import dash_mantine_components as dmc
from casegraph.app import forms as f


def test_options_take_plain_values_pairs_and_dcc_dicts_and_give_string_values():
    assert f.options(["a", 2]) == [{"label": "a", "value": "a"}, {"label": "2", "value": "2"}]
    assert f.options([("case #5", 5)]) == [{"label": "case #5", "value": "5"}]
    assert f.options([{"label": "x", "value": 1}]) == [{"label": "x", "value": "1"}]


def test_a_choice_holds_its_value_as_one_of_its_string_values():
    s = f.choice("pick", [("ten", 10), ("twenty", 20)], 20, clearable=False)
    assert isinstance(s, dmc.Select) and s.value == "20" and s.data[1] == {"label": "twenty", "value": "20"}
    assert f.choice("none", ["a"]).value is None


def test_a_number_field_reads_empty_as_none():
    assert f.number("n").value == "" and f.number("n", 0.5).value == 0.5
    assert f.number_or_none("") is None and f.number_or_none(None) is None and f.number_or_none("  ") is None
    assert f.number_or_none(0) == 0 and f.number_or_none(2.5) == 2.5


def test_tick_boxes_keep_the_list_value_and_their_id_on_the_page():
    box = f.checks("mask", [("mask personal data", "mask")])
    assert box.value == [] and box.attributes == {"root": {"id": "mask"}}     # tests find "#mask input"
    assert f.checks("m", ["mine"], ["mine"]).value == ["mine"]
    assert not hasattr(f.checks({"type": "x", "name": "y"}, ["a"]), "attributes")  # a dict id is not a DOM id


def test_widths_by_name_or_css_and_buttons_count_clicks():
    assert f.text("t", width="reason").w == f.WIDTHS["reason"] and f.text("t", width="9em").w == "9em"
    b = f.button("Go", "go", "what it does", kind="primary")
    assert b.n_clicks == 0 and b.variant == "filled" and b.attributes == {"root": {"title": "what it does"}}


def test_no_page_module_builds_a_dcc_or_html_form_control():
    """One component library for the forms: the pages build no dcc.Input, Dropdown, Checklist,
    RadioItems, Textarea, DatePicker*, Slider or html.Button (dcc.Store, Location, Download,
    Link, Graph and Interval are no form controls)."""
    from pathlib import Path
    import casegraph.app as app_package
    banned = ("dcc.Input", "dcc.Dropdown", "dcc.Checklist", "dcc.RadioItems", "dcc.Textarea", "dcc.DatePicker",
              "dcc.Slider", "dcc.RangeSlider", "html.Button")
    found = []
    sources = sorted((Path(app_package.__file__).parent / "pages").glob("*.py"))
    assert len(sources) > 15           # every page and its helpers were read
    for source in sources:
        text = source.read_text(encoding="utf-8")
        found += [f"{source.name}: {b}" for b in banned if b in text]
    assert found == []
