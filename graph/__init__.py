"""survkg core: the store, loading and validation, the exposure engine and the CLI.

This package never imports the web layer (``api``); a test walks the imports to keep it so.
"""

__version__ = "0.1.0"
