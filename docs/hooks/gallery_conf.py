"""mkdocs-gallery's configuration: the tutorials in the report's order.

The order is that of `fyslearn.experiments.EXPERIMENTS`, whose ids are the
tutorials' file names; any other tutorial follows, by name.
"""

from pathlib import Path

from fyslearn.experiments import EXPERIMENTS


class ReportOrder:
    """Sort key of tutorial files: the report's order of the experiments, then by name."""

    def __call__(self, path: str | Path) -> tuple[int, str]:
        name = Path(path).stem
        order = list(EXPERIMENTS)
        return (order.index(name) if name in order else len(order), name)


conf = {"within_subsection_order": ReportOrder}
