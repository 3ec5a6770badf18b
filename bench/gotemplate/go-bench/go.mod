module gotemplatebench

go 1.19
