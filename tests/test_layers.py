"""The layers and the no-circle rule hold, and their checks catch a breach.

`make lint` runs import-linter (`.importlinter`) and the circle check on the real
tree; these tests show each check fails on a deliberately wrong import, so a green
lint means something.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support import import_cycles

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def write_package(base: Path, name: str, modules: dict[str, str]):
    package = base / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(source))


def test_the_project_has_no_module_import_circle():
    cycles = import_cycles.module_cycles(*import_cycles.present_packages())
    assert cycles == [], f"import circles: {cycles}"


def test_the_circle_check_finds_a_circle_hidden_in_a_function(tmp_path, monkeypatch):
    write_package(
        tmp_path,
        "circled",
        {
            "orders": "from circled import invoices\n",
            "invoices": "def total():\n    from circled import orders\n    return orders\n",
            "loose": "import circled.orders\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles.module_cycles("circled") == [["circled.invoices", "circled.orders"]]


def test_the_project_keeps_its_layers():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_refuses_an_app_importing_an_app_to_its_right(tmp_path):
    write_package(tmp_path, "left", {"models": "import right.views\n"})
    write_package(tmp_path, "right", {"views": "import left.models\n"})
    config = tmp_path / ".importlinter"
    config.write_text(
        textwrap.dedent(
            """
            [importlinter]
            root_packages =
                left
                right

            [importlinter:contract:layers]
            name = right imports left, never the reverse
            type = layers
            layers =
                right
                left
            """
        )
    )
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "left.models -> right.views" in result.stdout
