from truedesk.cli import main

main()
