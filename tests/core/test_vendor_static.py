"""Front-end libraries come from npm at install time and are served locally under /static/vendor/."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders


@pytest.mark.parametrize(
    "path",
    [
        "vendor/xterm/lib/xterm.js",
        "vendor/xterm/css/xterm.css",
        "vendor/xterm-addon-fit/lib/addon-fit.js",
        "vendor/axe-core/axe.min.js",
    ],
)
def test_vendor_file_is_found_by_staticfiles(path):
    found = finders.find(path)
    assert found, f"{path} not found: run `make install` (npm install of package.json)"
    assert str(settings.NODE_MODULES) in str(found)
