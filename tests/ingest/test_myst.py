"""MyST Markdown (Sphinx and Jupyter Book manuals) read as its rendered page reads."""

from __future__ import annotations

from pathlib import Path

from ingest.chunking import chunk_document
from ingest.formats.myst import from_myst, is_myst
from ingest.loaders import load_document

MANUAL = """\
# 1. Reporting on land cover

(land-cover)=
## Step 1: Identify degradation processes

```{note}
Related areas in the reporting platform: table SO1-1.T1
```

Parties list the land cover changes that degrade land, such as {term}`deforestation`
(see {ref}`the legend <land-cover-legend>`).

```{tabularcolumns} |p{2cm}|p{5cm}|
```

```{flat-table} *__Table 7__. Processes and the transitions they cause*
---
header-rows: 1
widths: 1 1
---
* - Degradation process
  - Transition
* - Urban expansion
  - {cspan}`1` Cropland to artificial area
* - Vegetation loss
  - Grassland to bare land
```

:::{admonition} Box 1: A national legend
Countries may split a class, for example wetlands into peatland and marsh.
:::

```{figure} /img/legend.png
:width: 80%

Figure 2. The seven classes of the default legend
```

{{pagebreak}}

````{only} latex
*__Table 7__. Processes and the transitions they cause*
````

% a comment for the editors
```{only} html
The web page shows this paragraph.
```
"""


def test_directives_and_roles_read_as_text() -> None:
    assert is_myst(MANUAL)
    text = from_myst(MANUAL)
    assert "Related areas in the reporting platform: table SO1-1.T1" in text
    assert "such as deforestation\n(see the legend)." in text
    assert "Table 7. Processes and the transitions they cause" in text
    assert (
        "| Degradation process | Transition |\n|---|---|\n"
        "| Urban expansion | Cropland to artificial area |\n"
        "| Vegetation loss | Grassland to bare land |"
    ) in text
    assert "Box 1: A national legend\n\nCountries may split a class" in text
    assert "Figure 2. The seven classes of the default legend" in text
    assert "The web page shows this paragraph." in text
    layout = ("```", ":::", "{note}", "header-rows", "widths", "{term}", "{cspan}", "{{", "p{2cm}")
    hidden = ("(land-cover)=", ":width:", "a comment for the editors", "legend.png")
    for markup in layout + hidden:
        assert markup not in text, markup
    assert text.count("Table 7. Processes") == 1  # the print copy's caption is left out


def test_plain_markdown_is_left_as_it_is() -> None:
    plain = "# Title\n\n```python\nprint('{x}')\n```\n\nText with `code` and a {brace}.\n"
    assert not is_myst(plain)
    assert from_myst(plain).rstrip("\n") == plain.rstrip("\n")


def test_a_myst_manual_is_ingested_with_its_tables_and_boxes(tmp_path: Path) -> None:
    path = tmp_path / "reporting-manual.md"
    path.write_text(MANUAL, encoding="utf-8")
    document = load_document(path)
    assert document.meta.title == "1. Reporting on land cover"
    chunks = chunk_document(document, 1000, 100)
    text = "\n".join(c.text for c in chunks)
    assert "| Urban expansion | Cropland to artificial area |" in text
    assert all("```" not in c.text and "{flat-table}" not in c.text for c in chunks)
    locators = {c.locator for c in chunks}
    assert "Step 1: Identify degradation processes" in locators
