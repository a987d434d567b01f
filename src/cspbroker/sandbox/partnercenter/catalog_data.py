# ruff: noqa: E501
"""The sandbox catalog, as data. Prices are the sandbox's list prices per billing period.

Each SKU row: `terms` = [termDuration, billingCycle, USD price, EUR price] per purchasable term;
the price is per licence per billing period (monthly → a month, annual → a year, triennial → three
years, one_time → once). `aadSkuId` / `skuPartNumber` / `servicePlans` describe the Entra ID licence
the subscription grants (what `subscribedskus` and `licenseupdates` use). Trials name the paid
catalog item they convert to. Add-ons name their prerequisite `productId:skuId` pairs.
"""

from __future__ import annotations

from typing import Any

_BASIC = "CFQ7TTC0LH18:0001"
_STANDARD = "CFQ7TTC0LDPB:0001"
_PREMIUM = "CFQ7TTC0LCHC:0002"
_O365_E1 = "CFQ7TTC0LF8Q:0001"
_O365_E3 = "CFQ7TTC0LF8R:0001"
_O365_E5 = "CFQ7TTC0LF8S:0001"
_M365_E3 = "CFQ7TTC0LFLZ:0001"
_M365_E5 = "CFQ7TTC0LFLX:0001"

# fmt: off
PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "CFQ7TTC0LH18", "title": "Microsoft 365 Business Basic", "type": "OnlineServices",
        "subType": "Productivity", "views": ["OnlineServices"],
        "description": "Web and mobile Office apps, Teams, 1 TB of OneDrive storage and business-class email.",
        "skus": [
            {"id": "0001", "title": "Microsoft 365 Business Basic", "availabilityId": "CFQ7TTC0K59S",
             "min": 1, "max": 300, "aadSkuId": "3b555118-da6a-4418-894f-7df1e2096870",
             "skuPartNumber": "O365_BUSINESS_ESSENTIALS",
             "servicePlans": ["EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD", "OFFICEMOBILE_SUBSCRIPTION"],
             "terms": [["P1M", "monthly", "7.20", "6.70"], ["P1Y", "monthly", "6.00", "5.60"],
                       ["P1Y", "annual", "72.00", "67.20"]]},
            {"id": "0002", "title": "Microsoft 365 Business Basic Trial", "availabilityId": "CFQ7TTC0K5DJ",
             "min": 25, "max": 25, "isTrial": True, "convertsTo": "CFQ7TTC0LH18:0001:CFQ7TTC0K59S",
             "aadSkuId": "3b555118-da6a-4418-894f-7df1e2096870", "skuPartNumber": "O365_BUSINESS_ESSENTIALS",
             "servicePlans": ["EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD"],
             "terms": [["P1M", "none", "0.00", "0.00"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LDPB", "title": "Microsoft 365 Business Standard", "type": "OnlineServices",
        "subType": "Productivity", "views": ["OnlineServices"],
        "description": "Desktop Office apps with business email, Teams, file storage and webinars.",
        "skus": [
            {"id": "0001", "title": "Microsoft 365 Business Standard", "availabilityId": "CFQ7TTC0K5BF",
             "min": 1, "max": 300, "aadSkuId": "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
             "skuPartNumber": "O365_BUSINESS_PREMIUM",
             "servicePlans": ["EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD", "OFFICE_BUSINESS"],
             "terms": [["P1M", "monthly", "15.00", "14.04"], ["P1Y", "monthly", "12.50", "11.70"],
                       ["P1Y", "annual", "150.00", "140.40"]]},
            {"id": "0002", "title": "Microsoft 365 Business Standard Trial", "availabilityId": "CFQ7TTC0K5DM",
             "min": 25, "max": 25, "isTrial": True, "convertsTo": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF",
             "aadSkuId": "f245ecc8-75af-4f8e-b61f-27d8114de5f3", "skuPartNumber": "O365_BUSINESS_PREMIUM",
             "servicePlans": ["EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD", "OFFICE_BUSINESS"],
             "terms": [["P1M", "none", "0.00", "0.00"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LCHC", "title": "Microsoft 365 Business Premium", "type": "OnlineServices",
        "subType": "Productivity", "views": ["OnlineServices"],
        "description": "Business Standard plus advanced security, device management and Defender for Business.",
        "skus": [
            {"id": "0002", "title": "Microsoft 365 Business Premium", "availabilityId": "CFQ7TTC0K5C6",
             "min": 1, "max": 300, "aadSkuId": "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "skuPartNumber": "SPB",
             "servicePlans": ["EXCHANGE_S_STANDARD", "TEAMS1", "INTUNE_A", "AAD_PREMIUM", "MDE_SMB"],
             "terms": [["P1M", "monthly", "26.40", "24.72"], ["P1Y", "monthly", "22.00", "20.60"],
                       ["P1Y", "annual", "264.00", "247.20"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LF8Q", "title": "Office 365 E1", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Web versions of Office apps, email, file storage and Teams.",
        "skus": [
            {"id": "0001", "title": "Office 365 E1", "availabilityId": "CFQ7TTC0K5NB", "min": 1, "max": 10000,
             "aadSkuId": "18181a46-0d4e-45cd-891e-60aabd171b4e", "skuPartNumber": "STANDARDPACK",
             "servicePlans": ["EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD"],
             "terms": [["P1M", "monthly", "12.00", "11.28"], ["P1Y", "monthly", "10.00", "9.40"],
                       ["P1Y", "annual", "120.00", "112.80"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LF8R", "title": "Office 365 E3", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Office apps, email, file storage, Teams and compliance tools.",
        "skus": [
            {"id": "0001", "title": "Office 365 E3", "availabilityId": "CFQ7TTC0K5NC", "min": 1, "max": 10000,
             "aadSkuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "skuPartNumber": "ENTERPRISEPACK",
             "servicePlans": ["EXCHANGE_S_ENTERPRISE", "TEAMS1", "SHAREPOINTENTERPRISE", "OFFICESUBSCRIPTION"],
             "terms": [["P1M", "monthly", "27.60", "25.92"], ["P1Y", "monthly", "23.00", "21.60"],
                       ["P1Y", "annual", "276.00", "259.20"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LF8S", "title": "Office 365 E5", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Office 365 E3 plus advanced security, analytics and voice.",
        "skus": [
            {"id": "0001", "title": "Office 365 E5", "availabilityId": "CFQ7TTC0K5ND", "min": 1, "max": 10000,
             "aadSkuId": "c7df2760-2c81-4ef7-b578-5b5392b571df", "skuPartNumber": "ENTERPRISEPREMIUM",
             "servicePlans": ["EXCHANGE_S_ENTERPRISE", "TEAMS1", "MCOEV", "MCOMEETADV", "OFFICESUBSCRIPTION"],
             "terms": [["P1M", "monthly", "45.60", "42.84"], ["P1Y", "monthly", "38.00", "35.70"],
                       ["P1Y", "annual", "456.00", "428.40"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LFLZ", "title": "Microsoft 365 E3", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Office 365 E3 with Windows Enterprise and Enterprise Mobility + Security E3.",
        "skus": [
            {"id": "0001", "title": "Microsoft 365 E3", "availabilityId": "CFQ7TTC0K5NQ", "min": 1, "max": 10000,
             "aadSkuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "skuPartNumber": "SPE_E3",
             "servicePlans": ["EXCHANGE_S_ENTERPRISE", "TEAMS1", "INTUNE_A", "AAD_PREMIUM", "WIN10_PRO_ENT_SUB"],
             "terms": [["P1M", "monthly", "43.20", "40.44"], ["P1Y", "monthly", "36.00", "33.70"],
                       ["P1Y", "annual", "432.00", "404.40"], ["P3Y", "monthly", "36.00", "33.70"],
                       ["P3Y", "annual", "432.00", "404.40"], ["P3Y", "triennial", "1296.00", "1213.20"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LFLX", "title": "Microsoft 365 E5", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Microsoft 365 E3 plus advanced security, compliance, voice and analytics.",
        "skus": [
            {"id": "0001", "title": "Microsoft 365 E5", "availabilityId": "CFQ7TTC0K5NR", "min": 1, "max": 10000,
             "aadSkuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "skuPartNumber": "SPE_E5",
             "servicePlans": ["EXCHANGE_S_ENTERPRISE", "TEAMS1", "MCOEV", "MCOMEETADV", "AAD_PREMIUM_P2"],
             "terms": [["P1M", "monthly", "68.40", "64.20"], ["P1Y", "monthly", "57.00", "53.50"],
                       ["P1Y", "annual", "684.00", "642.00"], ["P3Y", "monthly", "57.00", "53.50"],
                       ["P3Y", "annual", "684.00", "642.00"], ["P3Y", "triennial", "2052.00", "1926.00"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LH16", "title": "Exchange Online (Plan 1)", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Business-class email with a 50 GB mailbox per user.",
        "skus": [
            {"id": "0001", "title": "Exchange Online (Plan 1)", "availabilityId": "CFQ7TTC0K5D1", "min": 1,
             "max": 10000, "aadSkuId": "4b9405b0-7788-4568-add1-99614e613b69", "skuPartNumber": "EXCHANGESTANDARD",
             "servicePlans": ["EXCHANGE_S_STANDARD"],
             "terms": [["P1M", "monthly", "4.80", "4.44"], ["P1Y", "monthly", "4.00", "3.70"],
                       ["P1Y", "annual", "48.00", "44.40"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LH15", "title": "Exchange Online (Plan 2)", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Email with a 100 GB mailbox, unlimited archiving and data loss prevention.",
        "skus": [
            {"id": "0001", "title": "Exchange Online (Plan 2)", "availabilityId": "CFQ7TTC0K5D2", "min": 1,
             "max": 10000, "aadSkuId": "19ec0d23-8335-4cbd-94ac-6050e30712fa", "skuPartNumber": "EXCHANGEENTERPRISE",
             "servicePlans": ["EXCHANGE_S_ENTERPRISE"],
             "terms": [["P1M", "monthly", "9.60", "9.00"], ["P1Y", "monthly", "8.00", "7.50"],
                       ["P1Y", "annual", "96.00", "90.00"]]},
        ],
    },
    {
        "id": "CFQ7TTC0RM8K", "title": "Microsoft Teams Essentials", "type": "OnlineServices", "subType": "Collaboration",
        "views": ["OnlineServices"], "description": "Unlimited group meetings up to 30 hours, chat and 10 GB of cloud storage.",
        "skus": [
            {"id": "0001", "title": "Microsoft Teams Essentials", "availabilityId": "CFQ7TTC0RM9Q", "min": 1,
             "max": 300, "aadSkuId": "3ab6abff-666f-4424-bfb7-f0bc274ec7bc", "skuPartNumber": "TEAMS_ESSENTIALS_AAD",
             "servicePlans": ["TEAMS1", "ONEDRIVE_BASIC_P2"],
             "terms": [["P1M", "monthly", "4.80", "4.44"], ["P1Y", "monthly", "4.00", "3.70"],
                       ["P1Y", "annual", "48.00", "44.40"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LH1G", "title": "Microsoft Teams Phone Standard", "type": "OnlineServices",
        "subType": "Collaboration", "views": ["OnlineServices"],
        "description": "Add-on: cloud calling for Teams users, with a phone system in the cloud.",
        "skus": [
            {"id": "0001", "title": "Microsoft Teams Phone Standard", "availabilityId": "CFQ7TTC0K5G4", "min": 1,
             "max": 10000, "isAddon": True,
             "prerequisiteSkus": [_BASIC, _STANDARD, _PREMIUM, _O365_E1, _O365_E3, _M365_E3],
             "aadSkuId": "e43b5b99-8dfb-405f-9987-dc307f34bcbd", "skuPartNumber": "MCOEV",
             "servicePlans": ["MCOEV"],
             "terms": [["P1M", "monthly", "12.00", "10.08"], ["P1Y", "monthly", "10.00", "8.40"],
                       ["P1Y", "annual", "120.00", "100.80"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LHSM", "title": "Microsoft Teams Audio Conferencing", "type": "OnlineServices",
        "subType": "Collaboration", "views": ["OnlineServices"],
        "description": "Add-on: dial-in numbers for Teams meetings.",
        "skus": [
            {"id": "0001", "title": "Microsoft Teams Audio Conferencing with dial-out to USA/CAN",
             "availabilityId": "CFQ7TTC0K5H7", "min": 1, "max": 10000, "isAddon": True,
             "prerequisiteSkus": [_BASIC, _STANDARD, _PREMIUM, _O365_E1, _O365_E3, _M365_E3],
             "aadSkuId": "0c266dff-15dd-4b49-8397-2bb16070ed52", "skuPartNumber": "MCOMEETADV",
             "servicePlans": ["MCOMEETADV"],
             "terms": [["P1M", "monthly", "4.80", "4.44"], ["P1Y", "monthly", "4.00", "3.70"],
                       ["P1Y", "annual", "48.00", "44.40"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LJ56", "title": "Microsoft Defender for Business", "type": "OnlineServices",
        "subType": "Security", "views": ["OnlineServices"],
        "description": "Add-on: endpoint security for small and medium businesses.",
        "skus": [
            {"id": "0001", "title": "Microsoft Defender for Business", "availabilityId": "CFQ7TTC0K5J9", "min": 1,
             "max": 300, "isAddon": True, "prerequisiteSkus": [_BASIC, _STANDARD],
             "aadSkuId": "5e1e7702-a2b7-4360-8d07-2f515792896f", "skuPartNumber": "MDE_SMB",
             "servicePlans": ["MDE_SMB"],
             "terms": [["P1M", "monthly", "3.60", "3.36"], ["P1Y", "monthly", "3.00", "2.80"],
                       ["P1Y", "annual", "36.00", "33.60"]]},
        ],
    },
    {
        "id": "CFQ7TTC0L3PB", "title": "Power BI Pro", "type": "OnlineServices", "subType": "Analytics",
        "views": ["OnlineServices"], "description": "Self-service analytics: publish and share Power BI reports.",
        "skus": [
            {"id": "0001", "title": "Power BI Pro", "availabilityId": "CFQ7TTC0KDSZ", "min": 1, "max": 10000,
             "aadSkuId": "f8a1db68-be16-40ed-86d5-cb42ce701560", "skuPartNumber": "POWER_BI_PRO",
             "servicePlans": ["BI_AZURE_P2"],
             "terms": [["P1M", "monthly", "16.80", "15.72"], ["P1Y", "monthly", "14.00", "13.10"],
                       ["P1Y", "annual", "168.00", "157.20"]]},
        ],
    },
    {
        "id": "CFQ7TTC0LFK6", "title": "Dynamics 365 Sales Professional", "type": "OnlineServices",
        "subType": "Business Applications", "views": ["OnlineServices"],
        "description": "Sales force automation: leads, opportunities, quotes and forecasts.",
        "skus": [
            {"id": "0001", "title": "Dynamics 365 Sales Professional", "availabilityId": "CFQ7TTC0KDRT", "min": 1,
             "max": 10000, "aadSkuId": "be9f9771-1c64-4618-9907-244325141096", "skuPartNumber": "D365_SALES_PRO",
             "servicePlans": ["DYN365_SALES_PRO"],
             "terms": [["P1M", "monthly", "78.00", "73.20"], ["P1Y", "monthly", "65.00", "61.00"],
                       ["P1Y", "annual", "780.00", "732.00"], ["P3Y", "monthly", "65.00", "61.00"],
                       ["P3Y", "annual", "780.00", "732.00"], ["P3Y", "triennial", "2340.00", "2196.00"]]},
        ],
    },
    {
        "id": "CFQ7TTC0HDB0", "title": "Project Plan 3", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Project management with the Project desktop client.",
        "skus": [
            {"id": "0001", "title": "Project Plan 3", "availabilityId": "CFQ7TTC0KDB1", "min": 1, "max": 10000,
             "aadSkuId": "53818b1b-4a27-454b-8896-0dba576410e6", "skuPartNumber": "PROJECTPROFESSIONAL",
             "servicePlans": ["PROJECT_CLIENT_SUBSCRIPTION", "SHAREPOINT_PROJECT"],
             "terms": [["P1M", "monthly", "36.00", "33.72"], ["P1Y", "monthly", "30.00", "28.10"],
                       ["P1Y", "annual", "360.00", "337.20"]]},
        ],
    },
    {
        "id": "CFQ7TTC0HD33", "title": "Visio Plan 2", "type": "OnlineServices", "subType": "Productivity",
        "views": ["OnlineServices"], "description": "Diagramming with the Visio desktop app and web app.",
        "skus": [
            {"id": "0001", "title": "Visio Plan 2", "availabilityId": "CFQ7TTC0KD34", "min": 1, "max": 10000,
             "aadSkuId": "c5928f49-12ba-48f7-ada3-0d743a3601d5", "skuPartNumber": "VISIOCLIENT",
             "servicePlans": ["VISIO_CLIENT_SUBSCRIPTION", "VISIOONLINE"],
             "terms": [["P1M", "monthly", "18.00", "16.80"], ["P1Y", "monthly", "15.00", "14.00"],
                       ["P1Y", "annual", "180.00", "168.00"]]},
        ],
    },
    {
        "id": "CFQ7TTC0J203", "title": "Windows 365 Business", "type": "OnlineServices", "subType": "Windows",
        "views": ["OnlineServices"], "description": "A Cloud PC: 2 vCPU, 8 GB RAM, 128 GB storage.",
        "skus": [
            {"id": "0001", "title": "Windows 365 Business 2 vCPU, 8 GB, 128 GB", "availabilityId": "CFQ7TTC0J1ZW",
             "min": 1, "max": 300, "aadSkuId": "e2aebe6c-897d-480f-9d62-fff1381581f7",
             "skuPartNumber": "CPC_B_2C_8RAM_128GB", "servicePlans": ["CPC_B_2C_8RAM_128GB"],
             "terms": [["P1M", "monthly", "49.20", "46.08"], ["P1Y", "monthly", "41.00", "38.40"],
                       ["P1Y", "annual", "492.00", "460.80"]]},
        ],
    },
    {
        "id": "DG7GMGF0D7FV", "title": "Office LTSC Standard 2024", "type": "Software", "subType": "Perpetual",
        "views": ["Software", "SoftwarePerpetual"],
        "description": "Perpetual licence: Word, Excel, PowerPoint and Outlook, long-term servicing channel.",
        "skus": [
            {"id": "0002", "title": "Office LTSC Standard 2024", "availabilityId": "DG7GMGF0F4MH", "min": 1,
             "max": 500, "terms": [["", "one_time", "419.00", "389.00"]]},
        ],
    },
    {
        "id": "DG7GMGF0D5RK", "title": "Windows Server 2025 Standard", "type": "Software", "subType": "Perpetual",
        "views": ["Software", "SoftwarePerpetual"], "description": "Perpetual licence: 16-core licence pack.",
        "skus": [
            {"id": "0001", "title": "Windows Server 2025 Standard - 16 Core License Pack",
             "availabilityId": "DG7GMGF0F2ZT", "min": 1, "max": 500,
             "terms": [["", "one_time", "1069.00", "1004.00"]]},
        ],
    },
    {
        "id": "DG7GMGF0FLR2", "title": "SQL Server 2022 Standard", "type": "Software", "subType": "Perpetual",
        "views": ["Software", "SoftwarePerpetual"], "description": "Perpetual licence: 2-core licence pack.",
        "skus": [
            {"id": "0001", "title": "SQL Server 2022 Standard - 2 Core License Pack",
             "availabilityId": "DG7GMGF0G1B3", "min": 1, "max": 500,
             "terms": [["", "one_time", "3945.00", "3706.00"]]},
        ],
    },
    {
        "id": "DG7GMGF0FKZV", "title": "SQL Server Standard", "type": "Software", "subType": "Subscription",
        "views": ["Software", "SoftwareSubscriptions"], "description": "Software subscription: 2-core pack, one year.",
        "skus": [
            {"id": "0001", "title": "SQL Server Standard - 2 Core License Pack - 1 year",
             "availabilityId": "DG7GMGF0G0QC", "min": 1, "max": 500,
             "terms": [["P1Y", "annual", "1859.00", "1746.00"]]},
        ],
    },
    {
        "id": "DG7GMGF0DVSV", "title": "Windows Server Standard", "type": "Software", "subType": "Subscription",
        "views": ["Software", "SoftwareSubscriptions"], "description": "Software subscription: 16-core pack, three years.",
        "skus": [
            {"id": "000P", "title": "Windows Server Standard - 16 Core License Pack - 3 year",
             "availabilityId": "DG7GMGF0F3Q9", "min": 1, "max": 500,
             "terms": [["P3Y", "annual", "356.00", "334.00"], ["P3Y", "triennial", "1068.00", "1002.00"]]},
        ],
    },
]
# fmt: on

# Domains that already exist in "Microsoft's" directory besides the sandbox's own customers.
TAKEN_DOMAINS: list[str] = [
    "contoso.onmicrosoft.com",
    "fabrikam.onmicrosoft.com",
    "microsoft.onmicrosoft.com",
    "adatum.onmicrosoft.com",
    "litware.onmicrosoft.com",
]

# fmt: off
EURO_COUNTRIES: list[str] = [
    "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT",
    "SI", "SK",
]
# fmt: on
