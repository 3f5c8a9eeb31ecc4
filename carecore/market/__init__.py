"""Market simulation: a discrete-event model of a county's home care market that compares
delivery models (prime/supplementary, open framework, lead provider with block hours,
dynamic purchasing) through the brokerage policies the live platform uses.

```python
from carecore.market import compare, default_scenario, run_replication

scenario = default_scenario()                      # Leicestershire, 14 zones
result = run_replication(scenario, "prime", 0, seed=1)
comparison = compare(scenario, ["prime", "open"], replications=10, seed=1)
comparison.summary("open")["median_days_to_place"]  # Estimate(mean, half_width, low, high, n)
```

See docs/market.md for the model, its assumptions and sources, and the calibration.
"""

from carecore.market.loading import default_scenario, load_scenario, shipped_scenarios
from carecore.market.results import (
    METRICS,
    Comparison,
    Estimate,
    ModelSummary,
    ReplicationResult,
    estimate,
    summarise,
)
from carecore.market.runner import DELIVERY_MODELS, compare, run_replication
from carecore.market.scenario import (
    AreaDemand,
    Brokerage,
    Costs,
    DeliveryModel,
    Demand,
    LengthComponent,
    ProviderExit,
    ProviderSpec,
    Scenario,
    Supply,
    Surge,
    VisitPattern,
    ZoneSpec,
)

__all__ = [
    "DELIVERY_MODELS",
    "METRICS",
    "AreaDemand",
    "Brokerage",
    "Comparison",
    "Costs",
    "DeliveryModel",
    "Demand",
    "Estimate",
    "LengthComponent",
    "ModelSummary",
    "ProviderExit",
    "ProviderSpec",
    "ReplicationResult",
    "Scenario",
    "Supply",
    "Surge",
    "VisitPattern",
    "ZoneSpec",
    "compare",
    "default_scenario",
    "estimate",
    "load_scenario",
    "run_replication",
    "shipped_scenarios",
    "summarise",
]
