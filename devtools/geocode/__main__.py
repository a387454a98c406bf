from devtools.geocode.server import main

main()
