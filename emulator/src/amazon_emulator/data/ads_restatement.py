"""An admin restatement of one local day: Amazon credits more of that day's purchases to its ads.

Each restatement takes a quarter (at least one) of the day's remaining organic lines of advertised ASINs, in a
seeded order (:attr:`DayPlan.organic`), and credits each to the product ad of its own ASIN (a same-SKU
purchase) from now on. A line is taken only when its payment has cleared (so it is in the day's order sales)
and when its ad keeps ``clicks >= purchases``. Every line belongs to one order line of the day that no ad
was credited with, so attributed sales of an ASIN still never exceed its order sales that day.
"""

from __future__ import annotations

import math
from dataclasses import replace

from amazon_emulator.data.ads_metrics import Credit, DayPlan

SHARE = 0.25


def restate(plan: DayPlan, already: list[Credit], now: float) -> list[Credit]:
    """The lines a restatement at epoch ``now`` credits on top of the plan and the earlier restatements."""
    taken = {line.line_id for _, line in already}
    orders = {row.ad.ad_id: {line.order_id for line in row.lines} for row in plan.rows}
    clicks = {row.ad.ad_id: row.clicks for row in plan.rows}
    for ad_id, line in already:
        orders[ad_id].add(line.order_id)
    remaining = [(ad_id, line) for ad_id, line in plan.organic
                 if line.line_id not in taken and line.visible_from <= now]  # fmt: skip
    wanted = max(1, math.ceil(len(remaining) * SHARE))
    out: list[Credit] = []
    for ad_id, line in remaining:
        if len(out) == wanted:
            break
        credited = orders[ad_id]
        if line.order_id not in credited and len(credited) >= clicks[ad_id]:
            continue
        credited.add(line.order_id)
        out.append((ad_id, replace(line, visible_from=now)))
    return out
