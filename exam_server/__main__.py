from exam_server.cli import main

main()
