# ELBO Lab house style: embedded into every figure script by el_plot_script.
# Each line style has its own linetype, so the dumb terminal draws each with
# its own glyph (lt 1..7: * # $ % @ & =); 7 and 8 are the target density and
# an exact reference value, in black.
set encoding utf8
set border 3 lw 1.2 lc rgb '#404040'
set tics nomirror out
set grid back lc rgb '#dddddd' lw 1
set key top right box opaque
set style line 1 lt 1 lc rgb '#1f77b4' lw 2.5 pt 7 ps 0.8
set style line 2 lt 2 lc rgb '#d62728' lw 2.5 pt 5 ps 0.8
set style line 3 lt 3 lc rgb '#2ca02c' lw 2.5 pt 9 ps 0.9
set style line 4 lt 4 lc rgb '#9467bd' lw 2.5 pt 11 ps 0.9
set style line 5 lt 5 lc rgb '#ff7f0e' lw 2 dt 2 pt 13 ps 0.9
set style line 6 lt 6 lc rgb '#7f7f7f' lw 1.5 dt 3
set style line 7 lt 7 lc rgb '#222222' lw 3.5
set style line 8 lt 7 lc rgb '#000000' lw 2 dt 2
