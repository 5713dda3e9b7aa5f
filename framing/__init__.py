"""framing: tell neutral news reporting from editorializing."""

__version__ = "0.1.0"

from framing.errors import FramingError  # noqa: E402
from framing.predictor import FramingClassifier  # noqa: E402

__all__ = ["FramingClassifier", "FramingError", "__version__"]
