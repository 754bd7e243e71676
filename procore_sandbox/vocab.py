"""Word lists the sandbox draws its realistic construction data from (names, places, trades)."""

from __future__ import annotations

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Carlos", "Sarah", "Dmitri", "Priya", "Tom", "Elena", "Kwame",
    "Laura", "Hiroshi", "Fatima", "Brian", "Sofia", "Marcus", "Ingrid", "Diego", "Chloe", "Omar",
    "Rachel", "Luca", "Nadia", "Patrick", "Mei", "Andre", "Grace", "Victor", "Hannah",
)
LAST_NAMES = (
    "Garcia", "Whitfield", "Okafor", "Chen", "Ramirez", "Lindqvist", "Petrov", "Sharma", "O'Brien",
    "Novak", "Mensah", "Bauer", "Tanaka", "Haddad", "Kowalski", "Rossi", "Johnson", "Nguyen", "Silva",
    "Dubois", "Farouk", "Klein", "Moretti", "Sato", "Walsh", "Li", "Baptiste", "Harper", "Ivanov", "Meyer",
)
COMPANY_NAMES = (
    "Summit Ridge Builders", "Harborline Construction", "Keystone General Contracting",
    "Northgate Constructors", "Blue Mesa Building Co.", "Ironwood Civil", "Cascade Point Builders",
    "Redline Construction Group",
)
VENDOR_NAMES = (
    "Apex Concrete", "Brightline Electric", "Coastal Mechanical", "Delta Steel Erectors",
    "Evergreen Landscaping", "Frontier Glazing", "Granite Masonry", "Highpoint Roofing",
    "Ironclad Fire Protection", "Jetstream HVAC", "Keystone Drywall", "Lakeside Plumbing",
    "Metro Elevator", "Northstar Painting", "Pinnacle Earthworks", "Quantum Low Voltage",
)
PROJECT_KINDS = (
    "Medical Office Building", "Elementary School", "Mixed-Use Tower", "Distribution Center",
    "Parking Structure", "Fire Station", "Senior Living Community", "Data Center", "Library Renovation",
    "Hotel", "Apartments", "Research Lab", "Community Center", "Corporate Campus", "Transit Hub",
)
PROJECT_PLACES = (
    "Riverside", "Oak Hill", "Harbor View", "Cedar Park", "Lakeshore", "Maple Grove", "Westfield",
    "Pioneer Square", "Sunset Ridge", "Granite Falls", "Eastgate", "Mill Creek", "Union Station",
)
CITIES = (  # city, state, zip, latitude, longitude, county, Procore time zone name
    ("Austin", "TX", "78701", 30.27, -97.74, "Travis County", "Central Time (US & Canada)"),
    ("Denver", "CO", "80202", 39.74, -104.99, "Denver County", "Mountain Time (US & Canada)"),
    ("Seattle", "WA", "98101", 47.61, -122.33, "King County", "Pacific Time (US & Canada)"),
    ("Phoenix", "AZ", "85004", 33.45, -112.07, "Maricopa County", "Arizona"),
    ("Atlanta", "GA", "30303", 33.75, -84.39, "Fulton County", "Eastern Time (US & Canada)"),
    ("Nashville", "TN", "37203", 36.16, -86.78, "Davidson County", "Central Time (US & Canada)"),
    ("Portland", "OR", "97204", 45.52, -122.68, "Multnomah County", "Pacific Time (US & Canada)"),
    ("Raleigh", "NC", "27601", 35.78, -78.64, "Wake County", "Eastern Time (US & Canada)"),
    ("Columbus", "OH", "43215", 39.96, -83.00, "Franklin County", "Eastern Time (US & Canada)"),
    ("San Diego", "CA", "92101", 32.72, -117.16, "San Diego County", "Pacific Time (US & Canada)"),
    ("Salt Lake City", "UT", "84101", 40.76, -111.89, "Salt Lake County", "Mountain Time (US & Canada)"),
    ("Tampa", "FL", "33602", 27.95, -82.46, "Hillsborough County", "Eastern Time (US & Canada)"),
)
REGIONS = ("North", "South", "East", "West", "Central")
STREETS = ("Main St", "Commerce Blvd", "Industrial Way", "Park Ave", "Market St", "Lakeview Dr", "2nd Ave")
STAGES = (
    (1, "Bidding"), (2, "Pre-Construction"), (3, "Course of Construction"), (4, "Post-Construction"),
    (5, "Warranty"),
)
RFI_TOPICS = (
    "Clarify slab edge detail", "Conflict between structural and MEP drawings", "Confirm door hardware",
    "Missing dimension on stair", "Substitution request for roofing membrane", "Curtain wall anchor spacing",
    "Fire rating of corridor wall", "Duct routing above ceiling", "Elevator pit depth", "Rebar lap length",
    "Paint color schedule", "Window sill flashing", "Transformer pad location", "Grading at entrance",
)
LOCATIONS = ("Level 1", "Level 2", "Level 3", "Roof", "Basement", "Parking Deck", "East Wing", "West Wing")
SPEC_SECTIONS = (
    ("03 30 00", "Cast-in-Place Concrete"), ("04 20 00", "Unit Masonry"), ("05 12 00", "Structural Steel"),
    ("07 52 00", "Modified Bituminous Roofing"), ("08 11 13", "Hollow Metal Doors and Frames"),
    ("08 44 13", "Glazed Aluminum Curtain Walls"), ("09 29 00", "Gypsum Board"), ("09 91 23", "Interior Painting"),
    ("14 21 00", "Electric Traction Elevators"), ("21 13 13", "Wet-Pipe Sprinkler Systems"),
    ("23 31 13", "Metal Ducts"), ("26 24 16", "Panelboards"),
)
# RFI priority as Procore sends it: {"name": label, "value": key} (the RFI filter options list {key: int,
# value: str}); an RFI without one sends {"name": false, "value": null}.
RFI_PRIORITIES = (("Low", 1), ("Medium", 2), ("High", 3))
SUBMITTAL_TYPES = ("Shop Drawing", "Product Data", "Sample", "Mock-up", "Document", "Other")
SUBMITTAL_STATUSES = (
    ("Draft", "Draft"), ("Open", "Open"), ("Pending Review", "Open"),
    ("Approved / No Exceptions Taken", "Closed"), ("Approved as Noted", "Closed"),
    ("Revise and Resubmit", "Closed"), ("Rejected", "Closed"),
)
APPROVER_RESPONSES = (  # name, considered (a real capture: "Revise and Resubmit" -> "revise and resubmit")
    ("Approved", "approved"), ("Approved as Noted", "approved as noted"),
    ("Revise and Resubmit", "revise and resubmit"), ("Rejected", "rejected"),
)
COST_CODES = (
    ("01-100", "General Requirements"), ("02-200", "Site Work"), ("03-300", "Cast-in-Place Concrete"),
    ("04-200", "Masonry"), ("05-100", "Structural Steel"), ("06-100", "Rough Carpentry"),
    ("07-500", "Roofing"), ("08-100", "Doors and Frames"), ("08-400", "Curtain Wall"),
    ("09-250", "Drywall"), ("09-900", "Painting"), ("14-200", "Elevators"), ("21-100", "Fire Suppression"),
    ("22-100", "Plumbing"), ("23-100", "HVAC"), ("26-100", "Electrical"), ("31-200", "Earthwork"),
    ("32-900", "Landscaping"),
)
CATEGORIES = (("L", "Labor"), ("M", "Materials"), ("S", "Subcontract"), ("E", "Equipment"), ("O", "Other"))
CHANGE_EVENT_TITLES = (
    "Owner-requested layout change", "Unforeseen soil conditions", "Design clarification", "Added outlets",
    "Upgraded lobby finishes", "Utility relocation", "Code-required fire damper", "Value engineering credit",
)

# Budget view column labels. The standard view carries all of them; the owner view lacks some.
STANDARD_LABELS = (
    "Original Budget Amount", "Budget Modifications", "Approved COs", "Revised Budget",
    "Pending Budget Changes", "Projected Budget", "Committed Costs", "Direct Costs", "Pending Cost Changes",
    "Projected Costs", "Forecast To Complete", "Estimated Cost at Completion", "Projected over Under",
)
OWNER_LABELS = (
    "Original Budget Amount", "Approved COs", "Revised Budget", "Pending Budget Changes", "Committed Costs",
    "Projected Costs", "Forecast To Complete",
)
