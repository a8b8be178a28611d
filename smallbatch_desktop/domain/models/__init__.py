"""All ORM models, importable from one place."""

from smallbatch_desktop.domain.models.base import Base, Fixed, JSONText, UTCDateTime, utcnow
from smallbatch_desktop.domain.models.batches import (
    Amendment,
    Batch,
    BatchSnapshot,
    Consumption,
    QcResult,
    Shipment,
)
from smallbatch_desktop.domain.models.inventory import (
    Customer,
    Material,
    MaterialLot,
    StockAdjustment,
    Supplier,
)
from smallbatch_desktop.domain.models.orders import (
    Allocation,
    OrderShipment,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    SalesOrder,
    SalesOrderLine,
)
from smallbatch_desktop.domain.models.recipes import (
    DRAFT,
    PUBLISHED,
    QcSpecItem,
    Recipe,
    RecipeLine,
    RecipeVersion,
)
from smallbatch_desktop.domain.models.system import (
    AuditEntry,
    CustomStock,
    LabelLayout,
    LabelPrintRun,
    PrinterProfile,
    RecallDrill,
    Setting,
)

__all__ = [
    "DRAFT",
    "PUBLISHED",
    "Allocation",
    "Amendment",
    "AuditEntry",
    "Base",
    "Batch",
    "BatchSnapshot",
    "Consumption",
    "CustomStock",
    "Customer",
    "Fixed",
    "JSONText",
    "LabelLayout",
    "LabelPrintRun",
    "Material",
    "MaterialLot",
    "OrderShipment",
    "PrinterProfile",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseReceipt",
    "QcResult",
    "QcSpecItem",
    "RecallDrill",
    "Recipe",
    "RecipeLine",
    "RecipeVersion",
    "SalesOrder",
    "SalesOrderLine",
    "Setting",
    "Shipment",
    "StockAdjustment",
    "Supplier",
    "UTCDateTime",
    "utcnow",
]
