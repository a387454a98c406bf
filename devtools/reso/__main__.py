from devtools.reso.server import main

main()
