"""Where the fake feed's listings are: real cities, subdivisions and clubs with plausible coordinates.

Each area carries a price level (USD per sq ft for a reference home in late 2026) and its share
of the source's listings. Subdivisions carry a multiplicative premium over their city, which the
hedonic model applies, so a comps-based valuation has real location signal to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Subdivision:
    name: str
    lat: float
    lon: float
    radius_km: float
    premium: float
    hoa: tuple[int, int] | None = None  # monthly HOA range; None: no association
    gated_club: bool = False
    min_year: int = 1950
    max_year: int = 2025
    age_restricted: bool = False


@dataclass(frozen=True, slots=True)
class City:
    name: str
    postal_codes: tuple[str, ...]
    county: str
    lat: float
    lon: float
    radius_km: float
    ppsf: float  # USD / sq ft for the reference home
    weight: float  # share of the source's listings
    pool_rate: float
    min_year: int
    subdivisions: tuple[Subdivision, ...] = field(default_factory=tuple)
    # Share of condos / SFR / manufactured homes on leased (tribal) land.
    land_lease_condo: float = 0.0
    land_lease_sfr: float = 0.0
    land_lease_manufactured: float = 0.0


S = Subdivision

# fmt: off

GPS_CITIES: tuple[City, ...] = (
    City("Palm Springs", ("92262", "92264"), "Riverside", 33.8303, -116.5453, 5.5, 560, 0.20, 0.72, 1936,
         (S("Movie Colony", 33.8290, -116.5390, 0.6, 1.45, None, min_year=1936, max_year=1975),
          S("Old Las Palmas", 33.8400, -116.5560, 0.7, 1.85, None, min_year=1930, max_year=1970),
          S("Deepwell Estates", 33.8100, -116.5340, 0.7, 1.25, None, min_year=1950, max_year=1975),
          S("Racquet Club Estates", 33.8550, -116.5450, 0.8, 1.0, None, min_year=1958, max_year=1965),
          S("Indian Canyons", 33.7880, -116.5350, 1.0, 1.3, (80, 250), min_year=1960, max_year=2005),
          S("Canyon View Estates", 33.7950, -116.5290, 0.3, 0.85, (550, 750), min_year=1968, max_year=1980)),
         land_lease_condo=0.45, land_lease_sfr=0.07),
    City("Palm Desert", ("92260", "92211"), "Riverside", 33.7222, -116.3745, 5.5, 360, 0.19, 0.62, 1960,
         (S("Bighorn", 33.6860, -116.3800, 1.0, 2.6, (1200, 2200), True, 1990, 2024),
          S("Indian Ridge", 33.7570, -116.3430, 0.9, 1.25, (800, 1200), True, 1990, 2005),
          S("Sun City Palm Desert", 33.7950, -116.3240, 1.4, 0.95, (330, 400), True, 1992, 2004, True),
          S("Ironwood Country Club", 33.6950, -116.3580, 0.8, 1.2, (650, 1100), True, 1975, 2000),
          S("Palm Desert Country Club", 33.7450, -116.3250, 1.0, 0.85, None, min_year=1962, max_year=1985),
          S("Desert Horizons", 33.7300, -116.3600, 0.5, 1.05, (500, 800), True, 1978, 1990)),
         land_lease_condo=0.08),
    City("La Quinta", ("92253",), "Riverside", 33.6634, -116.3100, 5.0, 470, 0.16, 0.70, 1970,
         (S("PGA West", 33.6000, -116.2600, 1.6, 1.2, (400, 900), True, 1986, 2024),
          S("The Madison Club", 33.6390, -116.2640, 0.7, 3.6, (1800, 3500), True, 2006, 2025),
          S("Trilogy", 33.6130, -116.2420, 0.8, 0.95, (450, 550), True, 2003, 2010, True),
          S("La Quinta Cove", 33.6600, -116.3110, 1.2, 0.9, None, min_year=1950, max_year=2015),
          S("Rancho La Quinta", 33.6880, -116.2870, 0.7, 1.15, (600, 900), True, 1993, 2006)),
         ),
    City("Indio", ("92201", "92203"), "Riverside", 33.7206, -116.2156, 5.5, 270, 0.12, 0.48, 1955,
         (S("Sun City Shadow Hills", 33.7560, -116.2590, 1.1, 1.05, (330, 380), True, 2005, 2024, True),
          S("Terra Lago", 33.7350, -116.1870, 0.8, 1.0, (200, 300), True, 2006, 2021),
          S("Indian Palms Country Club", 33.7090, -116.2420, 0.6, 0.95, (200, 350), False, 1970, 2005),
          S("Trilogy at the Polo Club", 33.7080, -116.2680, 0.6, 1.1, (400, 500), True, 2008, 2018, True)),
         ),
    City("Cathedral City", ("92234",), "Riverside", 33.7797, -116.4653, 4.0, 330, 0.09, 0.55, 1960,
         (S("Cathedral Canyon Country Club", 33.7700, -116.4530, 0.6, 0.95, (350, 550), False, 1974, 1990),
          S("Desert Princess", 33.8060, -116.4830, 0.7, 1.0, (450, 650), True, 1984, 2000),
          S("Panorama", 33.7850, -116.4750, 0.5, 1.0, None, min_year=1975, max_year=1995)),
         land_lease_manufactured=0.6, land_lease_condo=0.05),
    City("Rancho Mirage", ("92270",), "Riverside", 33.7397, -116.4128, 4.5, 470, 0.08, 0.70, 1955,
         (S("Mission Hills", 33.7940, -116.4370, 1.0, 1.15, (450, 900), True, 1978, 2005),
          S("Thunderbird Heights", 33.7560, -116.4300, 0.5, 2.0, (150, 400), True, 1955, 2020),
          S("Tamarisk Country Club", 33.7790, -116.4380, 0.4, 1.2, None, min_year=1955, max_year=1990),
          S("Morningside", 33.7690, -116.4080, 0.5, 1.35, (700, 1000), True, 1983, 1995)),
         land_lease_condo=0.05),
    City("Indian Wells", ("92210",), "Riverside", 33.7179, -116.3404, 3.0, 540, 0.05, 0.82, 1965,
         (S("Indian Wells Country Club", 33.7170, -116.3280, 0.7, 1.2, (600, 1000), True, 1968, 2005),
          S("The Reserve", 33.7000, -116.3380, 0.6, 1.8, (900, 1400), True, 1994, 2018),
          S("Toscana Country Club", 33.7240, -116.3070, 0.6, 1.6, (900, 1300), True, 2004, 2024),
          S("Eldorado Country Club", 33.7310, -116.3450, 0.5, 1.4, (400, 900), True, 1957, 1990)),
         land_lease_condo=0.15),
    City("Desert Hot Springs", ("92240", "92241"), "Riverside", 33.9611, -116.5017, 4.5, 215, 0.05, 0.40, 1950,
         (S("Mission Lakes Country Club", 33.9280, -116.4680, 0.7, 1.1, (120, 300), False, 1970, 2000),)),
    City("Coachella", ("92236",), "Riverside", 33.6803, -116.1739, 4.0, 280, 0.03, 0.25, 1965,
         (S("Rancho Las Flores", 33.6900, -116.1520, 0.6, 1.0, None, min_year=1998, max_year=2008),
          S("Vista del Norte", 33.6950, -116.1750, 0.5, 1.02, (60, 120), min_year=2005, max_year=2024))),
    City("Thousand Palms", ("92276",), "Riverside", 33.8203, -116.3900, 3.0, 290, 0.02, 0.35, 1970,
         (S("Sun Ridge", 33.8250, -116.3850, 0.5, 1.0, (80, 150), min_year=1988, max_year=2005),),
         land_lease_manufactured=0.5),
    City("Bermuda Dunes", ("92203",), "Riverside", 33.7428, -116.2889, 2.0, 340, 0.01, 0.65, 1960,
         (S("Bermuda Dunes Country Club", 33.7460, -116.2810, 0.7, 1.1, (200, 400), True, 1960, 1995),)),
)

CRMLS_CITIES: tuple[City, ...] = (
    City("Riverside", ("92501", "92503", "92506", "92508"), "Riverside", 33.9533, -117.3961, 8.0, 390, 0.14, 0.30, 1905,
         (S("Wood Streets", 33.9700, -117.3840, 0.8, 1.3, None, min_year=1910, max_year=1950),
          S("Canyon Crest", 33.9590, -117.3300, 1.2, 1.15, (0, 250), min_year=1970, max_year=1995),
          S("Orangecrest", 33.8880, -117.3280, 1.3, 1.1, (60, 140), min_year=1988, max_year=2006),
          S("La Sierra", 33.9100, -117.4750, 1.5, 0.92, None, min_year=1955, max_year=1990))),
    City("Temecula", ("92590", "92591", "92592"), "Riverside", 33.4936, -117.1484, 7.0, 380, 0.12, 0.40, 1970,
         (S("Redhawk", 33.4600, -117.1000, 1.3, 1.08, (80, 200), min_year=1988, max_year=2005),
          S("Wolf Creek", 33.4550, -117.0800, 0.8, 1.1, (90, 150), min_year=2004, max_year=2010),
          S("Paloma del Sol", 33.4860, -117.0900, 0.9, 1.05, (100, 160), min_year=1999, max_year=2005),
          S("Harveston", 33.4950, -117.1400, 0.7, 1.07, (100, 180), min_year=2002, max_year=2008))),
    City("Murrieta", ("92562", "92563"), "Riverside", 33.5539, -117.2139, 7.0, 360, 0.12, 0.35, 1975,
         (S("Bear Creek", 33.5750, -117.2600, 0.8, 1.35, (250, 450), True, 1985, 2005),
          S("Greer Ranch", 33.6000, -117.1950, 0.8, 1.1, (100, 180), True, 1998, 2006),
          S("Los Alamos Hills", 33.5600, -117.2050, 1.0, 1.2, None, min_year=1975, max_year=2020))),
    City("Corona", ("92879", "92880", "92881", "92882"), "Riverside", 33.8753, -117.5664, 7.0, 420, 0.10, 0.30, 1950,
         (S("Sierra del Oro", 33.8780, -117.5200, 0.9, 1.1, (50, 120), min_year=1985, max_year=2000),
          S("Eagle Glen", 33.8320, -117.5530, 0.9, 1.25, (150, 250), min_year=1998, max_year=2006),
          S("South Corona", 33.8400, -117.5700, 1.5, 1.0, None, min_year=1990, max_year=2010))),
    City("Irvine", ("92602", "92603", "92604", "92612", "92618", "92620"), "Orange", 33.6846, -117.7870, 7.0, 820, 0.12, 0.20, 1970,
         (S("Woodbridge", 33.6800, -117.7900, 1.1, 1.0, (120, 250), min_year=1976, max_year=1990),
          S("Turtle Rock", 33.6400, -117.8150, 1.0, 1.25, (100, 250), min_year=1968, max_year=1990),
          S("Northwood", 33.7150, -117.7650, 1.1, 1.05, (80, 200), min_year=1978, max_year=2000),
          S("Great Park", 33.6700, -117.7350, 1.3, 1.08, (200, 400), min_year=2014, max_year=2025),
          S("Quail Hill", 33.6540, -117.7700, 0.7, 1.1, (150, 300), min_year=2002, max_year=2010))),
    City("Anaheim", ("92801", "92804", "92806", "92807", "92808"), "Orange", 33.8366, -117.9143, 7.5, 580, 0.10, 0.25, 1920,
         (S("Anaheim Hills", 33.8450, -117.7600, 2.0, 1.25, (0, 300), min_year=1970, max_year=2000),
          S("Anaheim Colony Historic District", 33.8350, -117.9150, 0.7, 1.1, None, min_year=1900, max_year=1940),
          S("West Anaheim", 33.8300, -117.9850, 1.5, 0.95, None, min_year=1950, max_year=1970))),
    City("Long Beach", ("90803", "90807", "90808", "90802", "90815"), "Los Angeles", 33.7701, -118.1937, 7.0, 560, 0.11, 0.12, 1910,
         (S("Belmont Shore", 33.7590, -118.1380, 0.6, 1.45, None, min_year=1915, max_year=1960),
          S("Naples", 33.7550, -118.1240, 0.4, 1.9, None, min_year=1920, max_year=1990),
          S("Bixby Knolls", 33.8350, -118.1900, 1.0, 1.15, None, min_year=1925, max_year=1955),
          S("Los Altos", 33.7950, -118.1150, 1.0, 1.05, None, min_year=1950, max_year=1960),
          S("Alamitos Beach", 33.7680, -118.1700, 0.6, 1.0, (250, 500), min_year=1920, max_year=2010))),
    City("Pasadena", ("91101", "91103", "91104", "91105", "91106", "91107"), "Los Angeles", 34.1478, -118.1445, 5.0, 880, 0.09, 0.30, 1900,
         (S("Bungalow Heaven", 34.1580, -118.1280, 0.6, 1.1, None, min_year=1905, max_year=1930),
          S("San Rafael", 34.1400, -118.1700, 0.8, 1.45, None, min_year=1920, max_year=1970),
          S("Madison Heights", 34.1300, -118.1380, 0.6, 1.35, None, min_year=1905, max_year=1940),
          S("Linda Vista", 34.1600, -118.1700, 0.9, 1.3, None, min_year=1930, max_year=1975))),
    City("San Diego", ("92037", "92104", "92109", "92106", "92130", "92117"), "San Diego", 32.7757, -117.1611, 10.0, 640, 0.10, 0.15, 1915,
         (S("La Jolla", 32.8420, -117.2740, 1.8, 1.9, None, min_year=1925, max_year=2020),
          S("North Park", 32.7470, -117.1300, 1.0, 1.0, None, min_year=1910, max_year=1950),
          S("Pacific Beach", 32.7970, -117.2360, 1.2, 1.2, None, min_year=1940, max_year=2015),
          S("Point Loma", 32.7300, -117.2400, 1.3, 1.35, None, min_year=1930, max_year=1990),
          S("Carmel Valley", 32.9400, -117.2200, 1.5, 1.25, (100, 350), min_year=1988, max_year=2015),
          S("Clairemont", 32.8200, -117.1900, 1.8, 0.95, None, min_year=1950, max_year=1970))),
)

# The Morongo Basin, next to the Coachella Valley: the RESO-served demo MLS (devtools/reso).
HDMLS_CITIES: tuple[City, ...] = (
    City("Yucca Valley", ("92284",), "San Bernardino", 34.1142, -116.4322, 5.0, 270, 0.34, 0.14, 1950,
         (S("Yucca Mesa", 34.1780, -116.4460, 1.5, 0.92, None, min_year=1955, max_year=2010),
          S("Rancho de la Flecha", 34.1320, -116.4050, 0.8, 1.08, None, min_year=1975, max_year=2008))),
    City("Joshua Tree", ("92252",), "San Bernardino", 34.1347, -116.3131, 5.0, 340, 0.28, 0.22, 1945,
         (S("Sunfair", 34.1550, -116.2800, 1.2, 0.95, None, min_year=1950, max_year=2000),
          S("Copper Mountain Mesa", 34.1600, -116.2200, 1.4, 0.9, None, min_year=1955, max_year=2005))),
    City("Twentynine Palms", ("92277",), "San Bernardino", 34.1356, -116.0542, 6.0, 195, 0.22, 0.10, 1945,
         (S("Indian Cove", 34.1050, -116.1300, 1.0, 1.05, None, min_year=1960, max_year=2010),)),
    City("Morongo Valley", ("92256",), "San Bernardino", 34.0469, -116.5808, 3.5, 255, 0.10, 0.12, 1950),
    City("Landers", ("92285",), "San Bernardino", 34.2658, -116.3970, 5.0, 205, 0.06, 0.06, 1955),
)

# fmt: on

CITIES_BY_SOURCE: dict[str, tuple[City, ...]] = {"gps": GPS_CITIES, "crmls": CRMLS_CITIES, "hdmls": HDMLS_CITIES}
