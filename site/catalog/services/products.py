"""The catalog's reference data: categories, products, plans and add-on options, maintained by staff. Their rules
are the models' own validation; what is offered to whom is read by the selectors."""

from catalog.models import Plan, Product, ProductCategory, ProductOption
from core.services import plain_services

productcategory_create, productcategory_update, productcategory_delete = plain_services(ProductCategory)
product_create, product_update, product_delete = plain_services(Product)
plan_create, plan_update, plan_delete = plain_services(Plan)
productoption_create, productoption_update, productoption_delete = plain_services(ProductOption)
