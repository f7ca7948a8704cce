"""ServerStock collectors: standalone asyncio daemons (SNMP, IPMI, checks) that never import Django.

They fetch their targets from the portal's API, write RRD files and post events back (ARCHITECTURE.md).
"""
