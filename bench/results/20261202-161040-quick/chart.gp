set terminal pngcairo size 960,560 font 'sans,11' noenhanced
set output 'chart.png'
set title 'IOPS by queue depth: loop, randread 4 KiB, O_DIRECT'
set xlabel 'queue depth'
set ylabel 'IOPS'
set logscale x 2
set key outside right
set grid
set format y '%.0s%c'
plot 'chart.dat' using 1:2 with linespoints lw 2 title 'fio', 'chart.dat' using 1:3 with linespoints lw 2 title 'kaio bench (CLI)', 'chart.dat' using 1:4 with linespoints lw 2 title 'kaioQueue', 'chart.dat' using 1:5 with linespoints lw 2 title 'kaioQueueBatched', 'chart.dat' using 1:6 with linespoints lw 2 title 'kaioQueueSyscalls', 'chart.dat' using 1:7 with linespoints lw 2 title 'kaioFile', 'chart.dat' using 1:8 with linespoints lw 2 title 'kaioChannel', 'chart.dat' using 1:9 with linespoints lw 2 title 'jdkAsyncChannel', 'chart.dat' using 1:10 with linespoints lw 2 title 'jdkThreads', 'chart.dat' using 1:11 with linespoints lw 2 title 'artemis'
