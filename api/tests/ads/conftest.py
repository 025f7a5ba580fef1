from tests.ads.support import harness  # noqa: F401  (the Ads sync harness fixture)
from tests.amazon.support import *  # noqa: F403  (fixtures)
