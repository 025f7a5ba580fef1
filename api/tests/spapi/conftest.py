from tests.amazon.support import *  # noqa: F403  (fixtures)
