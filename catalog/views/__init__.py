"""The catalog's pages, a module per page or seam: ``browse`` (home, the model and version
lists, on the list machinery of ``listing``), ``families``, ``version``, ``variant`` (with
``_common``, what those two share), ``compare``, ``features`` and ``trends``. catalog/urls.py
names each view by its module."""
