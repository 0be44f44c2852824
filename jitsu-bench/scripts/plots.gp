# Draws the plots of a ./jitsu bench run from the data files in the results directory.
# gnuplot -e "dir='jitsu-bench/results'" jitsu-bench/scripts/plots.gp
set terminal pngcairo size 800,450 font ",10"
set datafile commentschars "#"

set output dir.'/throughput.png'
set title "Queries per server CPU-second (server on CPU 1, dnsperf on CPU 0)"
set style data histograms
set style fill solid 0.7 border -1
set boxwidth 0.6
set ylabel "queries / CPU-second"
set yrange [0:*]
set grid ytics
unset key
plot dir.'/throughput.dat' using 2:xtic(1) linecolor rgb "#3465a4"

set output dir.'/latency-50k.png'
set title "Latency at a fixed 50,000 queries per second (dnsperf -Q 50000)"
set style data lines
set xlabel "percentile"
set ylabel "latency (µs, log scale)"
set logscale y
set xrange [0:100]
set yrange [*:*]
set key top left
plot dir.'/latency-50k.dat' using 1:2 title columnhead(2) lw 2, \
     '' using 1:3 title columnhead(3) lw 2, \
     '' using 1:4 title columnhead(4) lw 2
