from netwerk.cli import main

main()
