from koepel.platform.cli import main

main()
