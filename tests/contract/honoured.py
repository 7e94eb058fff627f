"""Which test shows the effect of each Stripe parameter an endpoint takes (HONOURED, in
tests/contract/honoured.json), and how that is checked: the test exists, and it sends the
parameter (its name is a key, a form field `name[...]` or a keyword in the test's code). A new
parameter accepted without an entry fails tests/contract/test_parameters.py."""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

TESTS = Path(__file__).parents[1]
REGISTRY = Path(__file__).with_name("honoured.json")


def load() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(REGISTRY.read_text())
    return data


@cache
def functions() -> dict[str, tuple[ast.AST, str]]:
    """Every test function of the suite by its id (`tests/api/test_x.py::test_y`), with its source."""
    found: dict[str, tuple[ast.AST, str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        if "node_modules" in path.parts:
            continue
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                rel = path.relative_to(TESTS.parent).as_posix()
                found[f"{rel}::{node.name}"] = (node, ast.get_source_segment(text, node) or "")
    return found


def parametrized(test_id: str) -> set[str]:
    """The string values a test is parametrized over (a test run once per payment method type
    sends each type's name as `type` and as its `type[...]` hash)."""
    import importlib

    path, name = test_id.split("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    values: set[str] = set()
    for mark in getattr(getattr(module, name), "pytestmark", []):
        if mark.name == "parametrize":
            values |= {v for v in mark.args[1] if isinstance(v, str)}
    return values


def mentions(node: ast.AST, param: str) -> bool:
    """Whether a test sends `param`: as a string (`"email"`, `"items[0][price]"` for `items`), a
    keyword argument (`email=`), or a dict key."""
    # Reading a field of an answer (`body["email"]`) is not sending it.
    read = {id(n.slice) for n in ast.walk(node) if isinstance(n, ast.Subscript)}
    for child in ast.walk(node):
        if id(child) in read:
            continue
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            text = child.value
            if text == param or text.startswith(f"{param}[") or f"&{param}=" in text or text.startswith(f"{param}="):
                return True
        elif isinstance(child, ast.keyword) and child.arg == param:
            return True
    return False


# Where a test of each endpoint's parameters is recognised (its path or SDK class in the source).
_HINTS = {
    "CustomerCreateTaxId": ["tax_ids"],
    "TaxId": ["tax_ids"],
    "SubscriptionItem": ["subscription_items", "SubscriptionItem", "subscription_item"],
    "InvoiceItem": ["invoiceitems", "InvoiceItem", "invoice_item"],
    "InvoiceCreatePreview": ["create_preview"],
    "Customer": ["customers", "Customer."],
    "Product": ["products", "Product."],
    "Price": ["prices", "Price."],
    "PaymentMethod": ["payment_methods", "PaymentMethod."],
    "Subscription": ["subscriptions", "Subscription."],
    "Invoice": ["invoices", "Invoice."],
    "Coupon": ["coupons", "Coupon."],
    "PromotionCode": ["promotion_codes", "PromotionCode."],
    "BillingPortal.Configuration": ["configurations", "Configuration."],
    "BillingPortal.Session": ["sessions", "Session."],
    "WebhookEndpoint": ["webhook_endpoints", "WebhookEndpoint."],
}
_SHARED = {"expand", "limit", "starting_after", "ending_before", "metadata", "created"}
_PARAMETRIZED = ["tests/api/test_payment_method_types.py::test_each_type_is_created_and_shows_its_hash"]


def propose() -> None:
    """`python -m tests.contract.honoured`: add an entry for each taken parameter that has none,
    naming a test of its endpoint that sends it (review what it picked); list those with none."""
    from tests.contract.parameters import ENDPOINTS, table

    registry, tests, data = load(), functions(), table()
    unnamed: list[str] = []
    # Entries whose test is gone, or no longer sends the parameter, are proposed afresh.
    for entries in registry.values():
        for param, test_id in list(entries.items()):
            if test_id not in tests or not (mentions(tests[test_id][0], param) or param in parametrized(test_id)):
                del entries[param]
    for name, model in ENDPOINTS.items():
        key = name.removesuffix("Params")
        hints = next(h for prefix, h in _HINTS.items() if key.startswith(prefix))
        entries = registry.setdefault(key, {})
        for param in sorted(set(data[model.__name__]) & set(model.model_fields)):
            if param in entries:
                continue
            sending = [t for t, (node, _src) in tests.items() if mentions(node, param)]
            found = [t for t in sending if any(h in tests[t][1] for h in hints)]
            if not found and param in _SHARED:
                found = sending
            found = found or [t for t in _PARAMETRIZED if param in parametrized(t)]
            found.sort(key=lambda t: (not t.startswith("tests/api"), len(tests[t][1])))
            if found:
                entries[param] = found[0]
            else:
                unnamed.append(f"{key}.{param}")
    REGISTRY.write_text(json.dumps(registry, indent=1, sort_keys=True) + "\n")
    print("\n".join(f"no test sends {p}: write one" for p in unnamed) or "every taken parameter is named")


if __name__ == "__main__":
    propose()
