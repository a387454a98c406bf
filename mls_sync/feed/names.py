"""Word lists for addresses, agents, brokerages and remarks in the fake feed."""

from __future__ import annotations

GPS_STREETS = (
    "Palm Canyon Dr", "Via Lola", "Camino Parocela", "Tahquitz Canyon Way", "Ramon Rd", "Vista Chino",
    "Desert Willow Dr", "Fairway Dr", "Country Club Dr", "Fred Waring Dr", "Washington St", "Avenue 52",
    "Calle Tampico", "Eisenhower Dr", "Bob Hope Dr", "Frank Sinatra Dr", "Gerald Ford Dr", "Monterey Ave",
    "Portola Ave", "Cook St", "Highway 111", "Jefferson St", "Madison St", "Miles Ave", "Avenue 48",
    "Dinah Shore Dr", "Da Vall Dr", "Mission Hills Dr", "Cactus Dr", "Mesquite Ave", "Sunrise Way",
    "Indian Canyon Dr", "Smoke Tree Ln", "Agua Caliente Dr", "Ocotillo Ave", "Ironwood Dr", "Tamarisk Rd",
    "Thunderbird Rd", "Desert Falls Pkwy", "Hovley Ln", "Merano Dr", "Shadow Hills Rd", "Tuscany Ct",
    "Pebble Beach Dr", "Palm Valley Dr", "Santa Rosa Way", "Bermuda Dunes Dr", "Pierson Blvd", "Mission Lakes Blvd",
)
CRMLS_STREETS = (
    "Magnolia Ave", "Victoria Ave", "Main St", "Ocean Blvd", "Colorado Blvd", "Lake Ave", "Orange Grove Blvd",
    "Harbor Blvd", "Lincoln Ave", "Culver Dr", "University Dr", "Jeffrey Rd", "Yale Loop", "Alton Pkwy",
    "Rancho California Rd", "Margarita Rd", "Pechanga Pkwy", "Clinton Keith Rd", "Los Alamos Rd", "Ontario Ave",
    "Green River Rd", "Serfas Club Dr", "Imperial Hwy", "Nohl Ranch Rd", "Santa Ana Canyon Rd", "2nd St",
    "Naples Plaza", "Atlantic Ave", "Carson St", "Bellflower Blvd", "Fair Oaks Ave", "Linda Vista Ave",
    "Prospect Blvd", "Garnet Ave", "Rosecrans St", "Del Mar Heights Rd", "Genesee Ave", "Prospect St",
    "Adams Ave", "University Ave", "Torrey Pines Rd", "Camino del Mar", "Arlington Ave", "Canyon Crest Dr",
)
FIRST_NAMES = (
    "Maria", "James", "Linda", "Robert", "Jennifer", "Michael", "Patricia", "David", "Elizabeth", "Carlos",
    "Susan", "Daniel", "Karen", "Jose", "Nancy", "Mark", "Lisa", "Steven", "Sandra", "Brian", "Kimberly",
    "Kevin", "Donna", "Jason", "Michelle", "Ryan", "Laura", "Gary", "Angela", "Eric", "Melissa", "Jeff",
)
LAST_NAMES = (
    "Garcia", "Smith", "Johnson", "Martinez", "Brown", "Nguyen", "Lopez", "Davis", "Hernandez", "Wilson",
    "Anderson", "Kim", "Thomas", "Moore", "Jackson", "Lee", "Perez", "Thompson", "White", "Harris",
    "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
)
OFFICES = (
    "Bennion Deville Homes", "Coldwell Banker Realty", "Compass", "Keller Williams Realty",
    "eXp Realty of California, Inc.", "Berkshire Hathaway HomeServices California Properties",
    "Equity Union", "The Agency", "Windermere Homes & Estates", "Redfin Corporation",
    "Desert Sotheby's International Realty", "Real Brokerage Technologies", "First Team Real Estate",
    "Seven Gables Real Estate", "Pacific Sotheby's International Realty", "Douglas Elliman of California",
)
VIEWS = ("mountain", "golf course", "lake", "city light", "ocean", "canyon", "pool", "greenbelt")
HIGHLIGHTS = (
    "remodeled kitchen with quartz counters", "owned solar", "vaulted ceilings", "new HVAC",
    "wood-look tile floors", "a casita for guests", "an outdoor kitchen", "a three-car garage",
    "clerestory windows", "a primary suite with walk-in closet", "a fire pit", "a covered patio",
    "a spa", "fresh paint inside and out", "dual-pane windows", "a gated courtyard entry",
)
PHOTO_CAPTIONS = (
    "Front", "Living room", "Kitchen", "Dining", "Primary bedroom", "Primary bath", "Bedroom",
    "Bathroom", "Backyard", "Pool", "View", "Patio", "Garage", "Aerial", "Community", "Den",
)
