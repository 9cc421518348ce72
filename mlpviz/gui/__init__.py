"""The PySide6 desktop app. Everything it shows is computed in mlpviz.core."""
