"""Alliance Atlas: an offline, cited reference on military alliances and partnerships."""

__version__ = "0.1.0"
APP_NAME = "Alliance Atlas"
ORG_NAME = "AllianceAtlas"
