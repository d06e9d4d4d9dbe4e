<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ApplicationsView</name>
    <message>
        <source>Classifying…</source>
        <translation>正在分类…</translation>
    </message>
    <message>
        <source>Probabilities as CSV…</source>
        <translation>概率（CSV）…</translation>
    </message>
    <message>
        <source>Save the probabilities (CSV) or this view (PNG)</source>
        <translation>保存概率（CSV）或此视图（PNG）</translation>
    </message>
    <message>
        <source>Sequence classifier: &lt;b&gt;{label}&lt;/b&gt; ({percent:.1f}%)</source>
        <translation>序列分类器：&lt;b&gt;{label}&lt;/b&gt;（{percent:.1f}%）</translation>
    </message>
    <message>
        <source>This view as PNG…</source>
        <translation>此视图（PNG）…</translation>
    </message>
    <message>
        <source>Token classifier: no entity found (every token tagged O).</source>
        <translation>词元分类器：未找到实体（每个词元都标为 O）。</translation>
    </message>
    <message>
        <source>Token classifier: {count} entities: {list}</source>
        <translation>词元分类器：{count} 个实体：{list}</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>{model} has no classification head, so it assigns no labels.
Open a fine-tuned classifier (Model ▸ Open folder…): a folder whose config.json names a …ForSequenceClassification architecture (sentiment, topics, …) or a …ForTokenClassification one (named entities, …), with its id2label.</source>
        <translation>{model} 没有分类头，因此不给出标签。
请打开一个微调过的分类器（模型 ▸ 打开文件夹…）：其 config.json 中的架构为 …ForSequenceClassification（情感、主题等）或 …ForTokenClassification（命名实体等），并带有 id2label。</translation>
    </message>
    <message>
        <source>{token}: tagged {tag}</source>
        <translation>{token}：标记为 {tag}</translation>
    </message>
</context>
<context>
    <name>AttentionPanel</name>
    <message>
        <source>#{index} masked</source>
        <translation>#{index} 已掩码</translation>
    </message>
    <message>
        <source>#{row} and #{col} masked</source>
        <translation>#{row} 和 #{col} 已掩码</translation>
    </message>
    <message>
        <source>#{row} ← input #{col}</source>
        <translation>#{row} ← 输入 #{col}</translation>
    </message>
    <message>
        <source>(1 head knocked out on the way)</source>
        <translation>（途中有 1 个头被关闭）</translation>
    </message>
    <message>
        <source>({count} heads knocked out on the way)</source>
        <translation>（途中有 {count} 个头被关闭）</translation>
    </message>
    <message>
        <source>Abnar &amp; Zuidema 2020: the head-averaged attention of every layer up to this one, multiplied together with the residual connection counted as 0.5·A + 0.5·I. Row i: how much of each input token has reached position i.</source>
        <translation>Abnar &amp; Zuidema 2020：把从第一层到这一层的各层注意力（对所有头取平均）连乘起来，残差连接按 0.5·A + 0.5·I 计入。第 i 行：每个输入词元有多少到达了位置 i。</translation>
    </message>
    <message>
        <source>All layers and heads as NPZ…</source>
        <translation>所有层和头，导出为 NPZ…</translation>
    </message>
    <message>
        <source>All layers as NPZ…</source>
        <translation>所有层，导出为 NPZ…</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Average the attention of every head in the layer</source>
        <translation>对该层所有头的注意力取平均</translation>
    </message>
    <message>
        <source>Click a head to show it, right-click to knock it out; arrow keys and Space work too</source>
        <translation>点击一个头即可显示它，右键点击可关闭它；也可以用方向键和空格键</translation>
    </message>
    <message>
        <source>Colour map of the heatmaps</source>
        <translation>热力图的配色</translation>
    </message>
    <message>
        <source>Colours</source>
        <translation>配色</translation>
    </message>
    <message>
        <source>Heatmap as PNG…</source>
        <translation>热力图，导出为 PNG…</translation>
    </message>
    <message>
        <source>Heatmap as SVG…</source>
        <translation>热力图，导出为 SVG…</translation>
    </message>
    <message>
        <source>Knock out this head (layer {layer}, head {head})</source>
        <translation>关闭这个头（第 {layer} 层，第 {head} 个头）</translation>
    </message>
    <message>
        <source>Kobayashi et al. 2020: each weight α_ij times ||v_j W_O||, the size of what token j sends through the head; rows re-normalised to sum to 1. Shows how much arrives, not only where the head looks.</source>
        <translation>Kobayashi 等 2020：每个权重 α_ij 乘以 ||v_j W_O||，即词元 j 经由该头传出的信息量；每行重新归一化，使其和为 1。它显示实际到达了多少，而不只是头看向哪里。</translation>
    </message>
    <message>
        <source>Layer {layer} · {which}</source>
        <translation>第 {layer} 层 · {which}</translation>
    </message>
    <message>
        <source>Mean over heads</source>
        <translation>对所有头取平均</translation>
    </message>
    <message>
        <source>Model view · every layer × head · click one</source>
        <translation>模型视图 · 所有层 × 头 · 点击其中一个</translation>
    </message>
    <message>
        <source>Model view: layer {layer}, head {head} · click to show it, right-click to switch it off</source>
        <translation>模型视图：第 {layer} 层，第 {head} 个头 · 点击显示，右键关闭</translation>
    </message>
    <message>
        <source>Model view: layer {layer}, head {head} · knocked out · click to show it, right-click to switch it on</source>
        <translation>模型视图：第 {layer} 层，第 {head} 个头 · 已关闭 · 点击显示，右键重新开启</translation>
    </message>
    <message>
        <source>No sentence yet: type one to see where each token looks.</source>
        <translation>还没有句子：输入一个句子，看看每个词元在关注哪里。</translation>
    </message>
    <message>
        <source>Rollout (Abnar &amp; Zuidema)</source>
        <translation>注意力展开（Abnar &amp; Zuidema）</translation>
    </message>
    <message>
        <source>Rollout averages every head of a layer (Abnar &amp; Zuidema 2020): there is one matrix per layer.</source>
        <translation>注意力展开对一层的所有头取平均（Abnar &amp; Zuidema 2020）：每层只有一个矩阵。</translation>
    </message>
    <message>
        <source>Rollout through layer {layer}</source>
        <translation>展开至第 {layer} 层</translation>
    </message>
    <message>
        <source>Rollout through layer {layer} of {layers}</source>
        <translation>展开至第 {layer} 层（共 {layers} 层）</translation>
    </message>
    <message>
        <source>Rollout through layer {layer} · click to show it</source>
        <translation>展开至第 {layer} 层 · 点击显示</translation>
    </message>
    <message>
        <source>Rollout · one tile per layer · click one</source>
        <translation>注意力展开 · 每层一格 · 点击其中一个</translation>
    </message>
    <message>
        <source>Show this head</source>
        <translation>显示这个头</translation>
    </message>
    <message>
        <source>Switch this head back on (layer {layer}, head {head})</source>
        <translation>重新开启这个头（第 {layer} 层，第 {head} 个头）</translation>
    </message>
    <message>
        <source>The attention weights softmax(QKᵀ/√d) of one head: where each token looks.</source>
        <translation>一个头的注意力权重 softmax(QKᵀ/√d)：每个词元在关注哪里。</translation>
    </message>
    <message>
        <source>This matrix as CSV…</source>
        <translation>当前矩阵，导出为 CSV…</translation>
    </message>
    <message>
        <source>This result has no attention weights.</source>
        <translation>此结果不含注意力权重。</translation>
    </message>
    <message>
        <source>This result has no value vectors to weight by.</source>
        <translation>此结果不含可用于加权的值向量。</translation>
    </message>
    <message>
        <source>Value-weighted (Kobayashi)</source>
        <translation>值加权（Kobayashi）</translation>
    </message>
    <message>
        <source>Value-weighted · Layer {layer} · {which}</source>
        <translation>值加权 · 第 {layer} 层 · {which}</translation>
    </message>
    <message>
        <source>Value-weighted · every layer × head</source>
        <translation>值加权 · 所有层 × 头</translation>
    </message>
    <message>
        <source>What the heatmap and the model view show</source>
        <translation>热力图和模型视图显示的内容</translation>
    </message>
    <message>
        <source>Which attention head of that layer</source>
        <translation>该层的哪个注意力头</translation>
    </message>
    <message>
        <source>Which transformer layer&apos;s attention to show (1 = closest to the input)</source>
        <translation>显示哪一个 Transformer 层的注意力（1 = 最靠近输入）</translation>
    </message>
    <message>
        <source>attended-to token (key)</source>
        <translation>被关注的词元（键）</translation>
    </message>
    <message>
        <source>attending token (query)</source>
        <translation>发出关注的词元（查询）</translation>
    </message>
    <message>
        <source>attention weight</source>
        <translation>注意力权重</translation>
    </message>
    <message>
        <source>computing… ({done} of {layers} layers)</source>
        <translation>计算中…（{done} / {layers} 层）</translation>
    </message>
    <message>
        <source>head knocked out</source>
        <translation>头已关闭</translation>
    </message>
    <message>
        <source>head {head}</source>
        <translation>第 {head} 个头</translation>
    </message>
    <message>
        <source>head {head} · knocked out</source>
        <translation>第 {head} 个头 · 已关闭</translation>
    </message>
    <message>
        <source>input token (embedding)</source>
        <translation>输入词元（嵌入）</translation>
    </message>
    <message>
        <source>layer {layer}, head {head}</source>
        <translation>第 {layer} 层，第 {head} 个头</translation>
    </message>
    <message>
        <source>layer {layer}, mean of heads</source>
        <translation>第 {layer} 层，所有头的平均</translation>
    </message>
    <message>
        <source>local: sees ±{window} tokens</source>
        <translation>局部：只看前后 {window} 个词元</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>已掩码</translation>
    </message>
    <message>
        <source>mean of all heads</source>
        <translation>所有头的平均</translation>
    </message>
    <message>
        <source>mean of all heads (head {heads} off)</source>
        <translation>所有头的平均（第 {heads} 个头已关闭）</translation>
    </message>
    <message>
        <source>mean of all heads (heads {heads} off)</source>
        <translation>所有头的平均（头 {heads} 已关闭）</translation>
    </message>
    <message>
        <source>position (after this layer)</source>
        <translation>位置（经过这一层之后）</translation>
    </message>
    <message>
        <source>rollout through layer {layer}</source>
        <translation>展开至第 {layer} 层</translation>
    </message>
    <message>
        <source>same weights as layer {layer}</source>
        <translation>与第 {layer} 层权重相同</translation>
    </message>
    <message>
        <source>same weights as layers {layers}</source>
        <translation>与第 {layers} 层权重相同</translation>
    </message>
    <message>
        <source>selected</source>
        <translation>已选中</translation>
    </message>
    <message>
        <source>share of input token (rows sum to 1)</source>
        <translation>输入词元的占比（每行和为 1）</translation>
    </message>
    <message>
        <source>special</source>
        <translation>特殊</translation>
    </message>
    <message>
        <source>value-weighted</source>
        <translation>值加权</translation>
    </message>
    <message>
        <source>value-weighted share (rows sum to 1)</source>
        <translation>值加权占比（每行和为 1）</translation>
    </message>
</context>
<context>
    <name>ColorMaps</name>
    <message>
        <source>greys</source>
        <translation>灰度</translation>
    </message>
</context>
<context>
    <name>ComparePanel</name>
    <message>
        <source>(rows re-normalised)</source>
        <translation>（各行已重新归一化）</translation>
    </message>
    <message>
        <source>1 − cosine similarity between a shared token&apos;s hidden state in A and in B (0 = same direction).
Row &apos;embeddings&apos;: a token moves there only when its position in the sentence changed.
Click a row to show that layer&apos;s attention above.</source>
        <translation>共有词元在 A 和 B 中隐藏状态的 1 − 余弦相似度（0 = 方向相同）。
“嵌入”一行：只有当词元在句中的位置改变时，它在这里才会移动。
点击一行，在上方显示该层的注意力。</translation>
    </message>
    <message>
        <source>&lt;b&gt;only in A:&lt;/b&gt; {a}&amp;nbsp;&amp;nbsp;·&amp;nbsp;&amp;nbsp;&lt;b&gt;only in B:&lt;/b&gt; {b}</source>
        <translation>&lt;b&gt;仅在 A 中：&lt;/b&gt;{a}&amp;nbsp;&amp;nbsp;·&amp;nbsp;&amp;nbsp;&lt;b&gt;仅在 B 中：&lt;/b&gt;{b}</translation>
    </message>
    <message>
        <source>A second sentence; [MASK] typed here is masked. Knocked-out heads apply to both.</source>
        <translation>第二个句子；在这里输入的 [MASK] 会被掩码。被关闭的头对两句同时生效。</translation>
    </message>
    <message>
        <source>Attention heatmaps as PNG…</source>
        <translation>注意力热力图，导出为 PNG…</translation>
    </message>
    <message>
        <source>B − A attention weight</source>
        <translation>B − A 注意力权重</translation>
    </message>
    <message>
        <source>B − A · shared tokens</source>
        <translation>B − A · 共有词元</translation>
    </message>
    <message>
        <source>B − A, rows re-normalised over shared tokens</source>
        <translation>B − A，各行在共有词元上重新归一化</translation>
    </message>
    <message>
        <source>Comparing the two sentences…</source>
        <translation>正在比较两个句子…</translation>
    </message>
    <message>
        <source>Could not compare the two sentences: {reason}</source>
        <translation>无法比较这两个句子：{reason}</translation>
    </message>
    <message>
        <source>Embedding shift as PNG…</source>
        <translation>嵌入偏移，导出为 PNG…</translation>
    </message>
    <message>
        <source>How far each shared token moved from A to B</source>
        <translation>每个共有词元从 A 到 B 移动了多远</translation>
    </message>
    <message>
        <source>Mean over heads</source>
        <translation>对所有头取平均</translation>
    </message>
    <message>
        <source>No sentence yet: type one above, then a second one here to compare them.</source>
        <translation>还没有句子：先在上方输入一句，再在这里输入第二句进行比较。</translation>
    </message>
    <message>
        <source>Off: the difference of the weights the model gave.
On: each row is first divided by its sum over the shared tokens, so attention the other sentence&apos;s own words took away does not count as a difference.</source>
        <translation>关闭：模型给出的权重之差。
打开：每行先除以它在共有词元上的和，这样被另一句独有的词分走的注意力不算作差异。</translation>
    </message>
    <message>
        <source>Re-normalise over shared tokens</source>
        <translation>在共有词元上重新归一化</translation>
    </message>
    <message>
        <source>Sentence A</source>
        <translation>句子 A</translation>
    </message>
    <message>
        <source>Sentence B</source>
        <translation>句子 B</translation>
    </message>
    <message>
        <source>The sentence typed at the top of the window (with its masks and knocked-out heads)</source>
        <translation>窗口顶部输入的句子（连同其掩码和被关闭的头）</translation>
    </message>
    <message>
        <source>The two sentences share no tokens, so there is nothing to line up.</source>
        <translation>两个句子没有共有词元，无法对齐。</translation>
    </message>
    <message>
        <source>Type sentence B in the box above to compare it with the current sentence:
for example swap one word (he → she), or use a word in another sense (river bank → bank account).</source>
        <translation>在上方的输入框中输入句子 B，与当前句子比较：
例如换掉一个词（he → she），或让一个词换一种含义（river bank → bank account）。</translation>
    </message>
    <message>
        <source>Which layer&apos;s attention to compare (1 = closest to the input)</source>
        <translation>比较哪一层的注意力（1 = 最靠近输入）</translation>
    </message>
    <message>
        <source>attention weight (A and B)</source>
        <translation>注意力权重（A 和 B）</translation>
    </message>
    <message>
        <source>e.g. the same sentence with he swapped for she</source>
        <translation>例如：同一句话，把 he 换成 she</translation>
    </message>
    <message>
        <source>e.g. the same sentence with one word swapped (he → she)</source>
        <translation>例如：同一句话，换掉一个词（he → she）</translation>
    </message>
    <message>
        <source>e.g. {sentence}</source>
        <translation>例如：{sentence}</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>layer {layer}</source>
        <translation>第 {layer} 层</translation>
    </message>
    <message>
        <source>layer {layer} · head {head}</source>
        <translation>第 {layer} 层 · 第 {head} 个头</translation>
    </message>
    <message>
        <source>layer {layer} · mean of heads</source>
        <translation>第 {layer} 层 · 所有头的平均</translation>
    </message>
    <message>
        <source>most after layer {layer}: “{token}” ({shift})</source>
        <translation>第 {layer} 层之后移动最多：“{token}”（{shift}）</translation>
    </message>
    <message>
        <source>none moved after layer {layer}</source>
        <translation>第 {layer} 层之后没有词元移动</translation>
    </message>
    <message>
        <source>{count} tokens shared</source>
        <translation>共有 {count} 个词元</translation>
    </message>
    <message>
        <source>“{token}” after layer {layer}: 1 − cos = {shift}   · click to show this layer&apos;s attention</source>
        <translation>“{token}” 第 {layer} 层之后：1 − cos = {shift}   · 点击显示该层的注意力</translation>
    </message>
    <message>
        <source>“{token}” in the embeddings: 1 − cos = {shift}</source>
        <translation>“{token}” 在嵌入中：1 − cos = {shift}</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <source>A download is already running.</source>
        <translation>已有一个下载正在进行。</translation>
    </message>
    <message>
        <source>Could not move the model: {reason}</source>
        <translation>无法移动模型：{reason}</translation>
    </message>
    <message>
        <source>Could not open {name}: it did not finish loading within {seconds:g} s</source>
        <translation>无法打开 {name}：它没有在 {seconds:g} 秒内加载完成</translation>
    </message>
    <message>
        <source>Could not open {name}: {reason}</source>
        <translation>无法打开 {name}：{reason}</translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>Type a sentence to see what BERT makes of it.</source>
        <translation>输入一个句子，看看 BERT 如何理解它。</translation>
    </message>
</context>
<context>
    <name>CorpusView</name>
    <message>
        <source>2,240 sentences of State of the Union addresses, 1990-2021 (public domain)</source>
        <translation>美国国情咨文 2,240 句，1990–2021 年（公有领域）</translation>
    </message>
    <message>
        <source>&lt;b&gt;{token}&lt;/b&gt; in “{sentence}”, layer {layer}: the {count} closest tokens of the corpus</source>
        <translation>“{sentence}” 中的 &lt;b&gt;{token}&lt;/b&gt;，第 {layer} 层：语料库中最相近的 {count} 个词元</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Could not index: {reason}</source>
        <translation>无法建立索引：{reason}</translation>
    </message>
    <message>
        <source>Every occurrence of the selected word, grouped into its senses</source>
        <translation>所选词的每一次出现，按词义分组</translation>
    </message>
    <message>
        <source>Find in the corpus:</source>
        <translation>在语料库中查找：</translation>
    </message>
    <message>
        <source>How the map places the points. PCA: at once, one basis for every layer, so the same points move with the layer. t-SNE: keeps each token&apos;s neighbours together; computed in the background for each layer, then kept with the index</source>
        <translation>地图如何摆放这些点。PCA：立即完成，所有层共用一组基，因此同一批点会随层移动。t-SNE：让每个词元的近邻聚在一起；每一层在后台计算，然后与索引一起保存</translation>
    </message>
    <message>
        <source>Inde&amp;x files…</source>
        <translation>为文件建索引(&amp;X)…</translation>
    </message>
    <message>
        <source>Index text files</source>
        <translation>为文本文件建索引</translation>
    </message>
    <message>
        <source>Index the demo corp&amp;us</source>
        <translation>为示例语料库建索引(&amp;U)</translation>
    </message>
    <message>
        <source>Indexing cancelled; nothing was kept.</source>
        <translation>索引已取消，未保留任何内容。</translation>
    </message>
    <message>
        <source>No corpus indexed yet.</source>
        <translation>尚未为任何语料库建立索引。</translation>
    </message>
    <message>
        <source>No map: {reason}</source>
        <translation>无法生成分布图：{reason}</translation>
    </message>
    <message>
        <source>No sentence yet: type one, then click one of its tokens to find it in the corpus.</source>
        <translation>还没有句子：输入一句，再点击其中一个词元，在语料库中查找它。</translation>
    </message>
    <message>
        <source>No t-SNE: {message}</source>
        <translation>无法生成 t-SNE：{message}</translation>
    </message>
    <message>
        <source>PCA</source>
        <translation>PCA</translation>
    </message>
    <message>
        <source>Reading the corpus…</source>
        <translation>正在读取语料库…</translation>
    </message>
    <message>
        <source>Select a token of the sentence first: its word&apos;s senses are shown.</source>
        <translation>请先选择句中的一个词元：将显示该词的各个词义。</translation>
    </message>
    <message>
        <source>Senses</source>
        <translation>词义</translation>
    </message>
    <message>
        <source>Text (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Text files, one sentence or paragraph per line</source>
        <translation>文本文件，每行一句或一段</translation>
    </message>
    <message>
        <source>The first three principal axes, turned by the slider</source>
        <translation>前三个主轴，用滑块旋转</translation>
    </message>
    <message>
        <source>The hidden state shown and searched (0 = the embeddings)</source>
        <translation>显示和检索的隐藏状态（0 = 嵌入）</translation>
    </message>
    <message>
        <source>Waiting for the model…</source>
        <translation>正在等待模型…</translation>
    </message>
    <message>
        <source>colour: cosine to the selected token, −1 (dark) to 1 (yellow)</source>
        <translation>颜色：与所选词元的余弦相似度，−1（深色）到 1（黄色）</translation>
    </message>
    <message>
        <source>colour: part of the corpus</source>
        <translation>颜色：语料库中的部分</translation>
    </message>
    <message>
        <source>colour: position</source>
        <translation>颜色：位置</translation>
    </message>
    <message>
        <source>colour: position in the sentence, 4 tokens a step (yellow: 36 and later)</source>
        <translation>颜色：在句中的位置，每 4 个词元一档（黄色：36 及以后）</translation>
    </message>
    <message>
        <source>colour: sentence</source>
        <translation>颜色：句子</translation>
    </message>
    <message>
        <source>colour: similarity</source>
        <translation>颜色：相似度</translation>
    </message>
    <message>
        <source>colour: tenths of the corpus, first (blue) to last (green)</source>
        <translation>颜色：语料库的十分位，从第一段（蓝）到最后一段（绿）</translation>
    </message>
    <message>
        <source>colour: the file each token comes from</source>
        <translation>颜色：每个词元来自的文件</translation>
    </message>
    <message>
        <source>colour: the sentence (10 colours, in turn)</source>
        <translation>颜色：句子（10 种颜色，轮流使用）</translation>
    </message>
    <message>
        <source>colour: the word (10 colours, shared by many)</source>
        <translation>颜色：词（10 种颜色，多个词共用）</translation>
    </message>
    <message>
        <source>colour: word</source>
        <translation>颜色：词</translation>
    </message>
    <message>
        <source>from the index&apos;s folder</source>
        <translation>读自索引所在的文件夹</translation>
    </message>
    <message>
        <source>kept with the index</source>
        <translation>已与索引一起保存</translation>
    </message>
    <message>
        <source>layer </source>
        <translation>层 </translation>
    </message>
    <message>
        <source>line {line}: {sentence}</source>
        <translation>第 {line} 行：{sentence}</translation>
    </message>
    <message>
        <source>not kept: the index&apos;s folder is read-only</source>
        <translation>未保存：索引所在的文件夹是只读的</translation>
    </message>
    <message>
        <source>t-SNE</source>
        <translation>t-SNE</translation>
    </message>
    <message>
        <source>t-SNE cancelled; nothing was kept.</source>
        <translation>t-SNE 已取消；没有保留任何内容。</translation>
    </message>
    <message>
        <source>t-SNE needs the openTSNE package, which this build lacks</source>
        <translation>t-SNE 需要 openTSNE 软件包，而此版本中没有</translation>
    </message>
    <message>
        <source>t-SNE of {points:,} points at layer {layer} ({how})</source>
        <translation>第 {layer} 层 {points:,} 个点的 t-SNE（{how}）</translation>
    </message>
    <message>
        <source>t-SNE of {points:,} points at layer {layer}…</source>
        <translation>正在计算第 {layer} 层 {points:,} 个点的 t-SNE…</translation>
    </message>
    <message>
        <source>{done} of {total} tokens, {rate} tokens/s</source>
        <translation>{done}/{total} 个词元，每秒 {rate} 个</translation>
    </message>
    <message>
        <source>{done} of {total} tokens, {rate} tokens/s, {left} s left</source>
        <translation>{done}/{total} 个词元，每秒 {rate} 个，还剩 {left} 秒</translation>
    </message>
    <message>
        <source>{lines} lines, {tokens} tokens ({sources})</source>
        <translation>{lines} 行，{tokens} 个词元（{sources}）</translation>
    </message>
    <message>
        <source>“{word}”, {count} times, layer {layer}:</source>
        <translation>“{word}”，出现 {count} 次，第 {layer} 层：</translation>
    </message>
</context>
<context>
    <name>EmbeddingPanel</name>
    <message>
        <source>&apos;{token}&apos; (#{index}) through the layers · ring: {layer}</source>
        <translation>“{token}”（#{index}）穿过各层 · 圆圈：{layer}</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; · token #{index}</source>
        <translation>“{token}” · 词元 #{index}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>0 = the embeddings the model starts from; k = after transformer layer k</source>
        <translation>0 = 模型起始的嵌入；k = 第 k 个 Transformer 层之后</translation>
    </message>
    <message>
        <source>After layer {layer} · tokens in 2-D (PCA)</source>
        <translation>第 {layer} 层之后 · 二维中的词元（PCA）</translation>
    </message>
    <message>
        <source>Embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>Embeddings (before layer 1) · tokens in 2-D (PCA)</source>
        <translation>嵌入（第 1 层之前）· 二维中的词元（PCA）</translation>
    </message>
    <message>
        <source>Hide [CLS]/[SEP]</source>
        <translation>隐藏 [CLS]/[SEP]</translation>
    </message>
    <message>
        <source>Layer {layer} of {layers}</source>
        <translation>第 {layer} 层，共 {layers} 层</translation>
    </message>
    <message>
        <source>No sentence yet: type one to see where its tokens sit.</source>
        <translation>还没有句子：输入一句，看看它的词元位于哪里。</translation>
    </message>
    <message>
        <source>One token through the layers</source>
        <translation>一个词元穿过各层</translation>
    </message>
    <message>
        <source>PC {axis} · {share} of variance</source>
        <translation>主成分 {axis} · 占方差 {share}</translation>
    </message>
    <message>
        <source>Plot as PNG…</source>
        <translation>图表，导出为 PNG…</translation>
    </message>
    <message>
        <source>Plot as SVG…</source>
        <translation>图表，导出为 SVG…</translation>
    </message>
    <message>
        <source>Show every token at one layer, or the path of the selected token</source>
        <translation>显示某一层的全部词元，或所选词元的路径</translation>
    </message>
    <message>
        <source>Special tokens often sit far from the rest and squash the picture; leave them out of the PCA</source>
        <translation>特殊词元往往离其他词元很远，会把图挤在一起；不让它们参与 PCA</translation>
    </message>
    <message>
        <source>This result has no hidden states to project.</source>
        <translation>此结果不含可投影的隐藏状态。</translation>
    </message>
    <message>
        <source>Tokens at one layer</source>
        <translation>某一层的词元</translation>
    </message>
    <message>
        <source>chosen layer</source>
        <translation>所选层</translation>
    </message>
    <message>
        <source>click to follow it</source>
        <translation>点击跟随它</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>every token at every layer</source>
        <translation>每一层的每个词元</translation>
    </message>
    <message>
        <source>layer {layer}</source>
        <translation>第 {layer} 层</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>已掩码</translation>
    </message>
    <message>
        <source>selected</source>
        <translation>已选中</translation>
    </message>
    <message>
        <source>sentence A</source>
        <translation>句子 A</translation>
    </message>
    <message>
        <source>sentence B</source>
        <translation>句子 B</translation>
    </message>
    <message>
        <source>special</source>
        <translation>特殊</translation>
    </message>
    <message>
        <source>start (embeddings) → numbers: layers</source>
        <translation>起点（嵌入）→ 数字：层</translation>
    </message>
    <message>
        <source>token</source>
        <translation>词元</translation>
    </message>
</context>
<context>
    <name>FillTable</name>
    <message>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
</context>
<context>
    <name>HeadsPanel</name>
    <message>
        <source>%v of %m heads</source>
        <translation>%v / %m 个头</translation>
    </message>
    <message>
        <source>&lt;b&gt;Out of date:&lt;/b&gt; the input changed since this map was computed; press “Compute again”.</source>
        <translation>&lt;b&gt;已过期：&lt;/b&gt;计算这张图之后输入已改变；请按“重新计算”。</translation>
    </message>
    <message>
        <source>At the mask:</source>
        <translation>在掩码处：</translation>
    </message>
    <message>
        <source>Attention heads: click one to switch it off, click again to switch it back on</source>
        <translation>注意力头：点击一个头将其关闭，再点击一次将其重新开启</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Click a head to switch it off or on; arrow keys and Space work too</source>
        <translation>点击一个头即可关闭或重新打开它；也可以用方向键和空格键</translation>
    </message>
    <message>
        <source>Compute again</source>
        <translation>重新计算</translation>
    </message>
    <message>
        <source>Compute head importance</source>
        <translation>计算头的重要性</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>How much each head helps predict “{word}” at #{pos} (p = {p})</source>
        <translation>每个头对在 #{pos} 处预测“{word}”的帮助有多大（p = {p}）</translation>
    </message>
    <message>
        <source>How much each head helps the classifier&apos;s label “{label}” (p = {p:.1%})</source>
        <translation>每个头对分类器标签“{label}”的帮助有多大（p = {p:.1%}）</translation>
    </message>
    <message>
        <source>Importance as CSV…</source>
        <translation>重要性，导出为 CSV…</translation>
    </message>
    <message>
        <source>Map as PNG…</source>
        <translation>重要性图，导出为 PNG…</translation>
    </message>
    <message>
        <source>Map as SVG…</source>
        <translation>重要性图，导出为 SVG…</translation>
    </message>
    <message>
        <source>Mask a word (click a token, or type [MASK]) to measure which heads its prediction needs. {off}</source>
        <translation>掩码一个词（点击一个词元，或输入 [MASK]），测量对它的预测需要哪些头。{off}</translation>
    </message>
    <message>
        <source>No sentence yet: type one, mask a word, and see which heads its prediction needs.</source>
        <translation>还没有句子：输入一句，掩码一个词，看看对它的预测需要哪些头。</translation>
    </message>
    <message>
        <source>Point at a head for its numbers; click it to switch it off or on.</source>
        <translation>指向一个头查看其数值；点击将其关闭或重新开启。</translation>
    </message>
    <message>
        <source>Remove each head in turn and measure how much the top prediction at the mask loses (runs in the background; the app stays usable)</source>
        <translation>依次去掉每个头，测量掩码处最佳预测损失多少（在后台运行，应用仍可使用）</translation>
    </message>
    <message>
        <source>Save the importance map (compute it first)</source>
        <translation>保存重要性图（请先计算）</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Stopped: the input changed.</source>
        <translation>已停止：输入已改变。</translation>
    </message>
    <message>
        <source>Switch all heads back on</source>
        <translation>重新开启所有头</translation>
    </message>
    <message>
        <source>This model has no masked-word head, so there is no prediction to measure heads against; click heads to see how attention and embeddings change. {off}</source>
        <translation>这个模型没有掩码词预测头，因此没有可用来衡量各头的预测；点击各头，看看注意力和嵌入如何变化。{off}</translation>
    </message>
    <message>
        <source>Undo every knock-out ({shortcut})</source>
        <translation>撤销所有关闭操作（{shortcut}）</translation>
    </message>
    <message>
        <source>Which masked position&apos;s prediction the colours are about</source>
        <translation>颜色反映的是哪个掩码位置的预测</translation>
    </message>
    <message>
        <source>layer {layer}, head {head} · click to switch it off</source>
        <translation>第 {layer} 层，第 {head} 个头 · 点击关闭</translation>
    </message>
    <message>
        <source>layer {layer}, head {head}: removing it drops log p({word}) by {drop} (p {p} → {after})</source>
        <translation>第 {layer} 层，第 {head} 个头：去掉它会使 log p({word}) 下降 {drop}（p {p} → {after}）</translation>
    </message>
    <message>
        <source>layer {layer}, head {head}: removing it raises log p({word}) by {drop} (p {p} → {after})</source>
        <translation>第 {layer} 层，第 {head} 个头：去掉它会使 log p({word}) 上升 {drop}（p {p} → {after}）</translation>
    </message>
    <message>
        <source>layer {layer}, head {head}: switched off · click to switch it back on</source>
        <translation>第 {layer} 层，第 {head} 个头：已关闭 · 点击重新开启</translation>
    </message>
    <message>
        <source>out of date</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>switched off: its output is zeroed, and predictions, attention and embeddings follow.</source>
        <translation>已关闭：它的输出被置零，预测、注意力和嵌入随之更新。</translation>
    </message>
    <message>
        <source>{heads} heads in {seconds} s</source>
        <translation>{heads} 个头，用时 {seconds} 秒</translation>
    </message>
    <message>
        <source>{helps}removing the head lowers p({word}): it helps · {hurts}the prediction does better without it · numbers: the drop in log-probability when that head alone is removed (1.0 ≈ p falls to a third) · {off}</source>
        <translation>{helps}去掉该头会降低 p({word})：它有帮助 · {hurts}没有它预测反而更好 · 数字：只去掉该头时对数概率的下降（1.0 ≈ p 降到三分之一）· {off}</translation>
    </message>
    <message>
        <source>“Compute head importance” removes each head alone and measures how much the classifier&apos;s predicted label loses. {off}</source>
        <translation>“计算头重要性”逐个移除每个头，并测量分类器预测的标签损失多少。{off}</translation>
    </message>
    <message>
        <source>“Compute head importance” removes each head alone and measures how much the top prediction at the mask loses. {off}</source>
        <translation>“计算头的重要性”会单独去掉每个头，测量掩码处最佳预测损失多少。{off}</translation>
    </message>
</context>
<context>
    <name>JointFillSection</name>
    <message>
        <source>Above, each mask is guessed alone. Here they are filled one at a time, most confident first, each seeing the words already in.</source>
        <translation>上方每个掩码都是单独猜测的。这里一次填一个，最有把握的先填，每个词都能看到已经填入的词。</translation>
    </message>
    <message>
        <source>Beam search</source>
        <translation>束搜索</translation>
    </message>
    <message>
        <source>Beam search cancelled.</source>
        <translation>束搜索已取消。</translation>
    </message>
    <message>
        <source>Beam search failed: {reason}</source>
        <translation>束搜索失败：{reason}</translation>
    </message>
    <message>
        <source>Beam search · width {width} · {order}</source>
        <translation>束搜索 · 宽度 {width} · {order}</translation>
    </message>
    <message>
        <source>Beam width</source>
        <translation>束宽</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Could not fill the masks together: {reason}</source>
        <translation>无法一起填充掩码：{reason}</translation>
    </message>
    <message>
        <source>Each guess taken alone: {product} = {p}.</source>
        <translation>单独看每个猜测：{product} = {p}。</translation>
    </message>
    <message>
        <source>Fill together</source>
        <translation>一起填充</translation>
    </message>
    <message>
        <source>Filled in this order, each word seeing the ones before it:</source>
        <translation>按此顺序填充，每个词都能看到它之前填入的词：</translation>
    </message>
    <message>
        <source>Filled one by one, BERT keeps the independent guesses &lt;b&gt;{fill}&lt;/b&gt; (p = {p}).</source>
        <translation>逐个填充时，BERT 保持独立猜测 &lt;b&gt;{fill}&lt;/b&gt;（p = {p}）。</translation>
    </message>
    <message>
        <source>Filled one by one, BERT prefers &lt;b&gt;{fill}&lt;/b&gt; (p = {p}) to the independent guesses &lt;b&gt;{independent}&lt;/b&gt; (p = {p_independent} scored the same way).</source>
        <translation>逐个填充时，BERT 更倾向于 &lt;b&gt;{fill}&lt;/b&gt;（p = {p}），而不是独立猜测 &lt;b&gt;{independent}&lt;/b&gt;（按同样方式打分，p = {p_independent}）。</translation>
    </message>
    <message>
        <source>Filling the masks one by one…</source>
        <translation>正在逐个填充掩码…</translation>
    </message>
    <message>
        <source>How many partial fills to keep at each step (1 = greedy)</source>
        <translation>每一步保留多少个部分填充（1 = 贪心）</translation>
    </message>
    <message>
        <source>Independent</source>
        <translation>独立</translation>
    </message>
    <message>
        <source>Independent: each mask&apos;s top guess from one pass, as if the other masks stayed masked.
One by one: fill the mask the model is surest about, run again, repeat.
log p: the chain-rule score of the whole fill, the sum of the log-probabilities of its words when
each was put in (higher is better). The independent words are scored the same way, so the rows compare.</source>
        <translation>独立：一次前向计算中每个掩码的最佳猜测，就像其他掩码仍被掩住。
逐个：先填模型最有把握的掩码，再运行一次，如此重复。
log p：整个填充按链式法则的得分，即每个词在填入时的对数概率之和
（越高越好）。独立猜测的词也按同样方式打分，因此各行可以比较。</translation>
    </message>
    <message>
        <source>Keep the best few partial fills at every step instead of only the best one: it can find a fill that scores better than filling greedily.</source>
        <translation>每一步保留最好的几个部分填充，而不只保留最好的一个：它可能找到比贪心填充得分更高的结果。</translation>
    </message>
    <message>
        <source>Mask two or more tokens to see them filled together, each word seeing the others.</source>
        <translation>掩码两个或更多词元，看看它们如何一起填充，每个词都能看到其他词。</translation>
    </message>
    <message>
        <source>One by one</source>
        <translation>逐个</translation>
    </message>
    <message>
        <source>The best joint fill is the independent guesses.</source>
        <translation>最好的联合填充就是独立猜测。</translation>
    </message>
    <message>
        <source>The independent guesses are not among the {count} best joint fills; the best is {best}.</source>
        <translation>独立猜测不在最好的 {count} 个联合填充之中；最好的是 {best}。</translation>
    </message>
    <message>
        <source>The independent guesses come #{rank}; the best joint fill is {best}.</source>
        <translation>独立猜测排第 {rank} 名；最好的联合填充是 {best}。</translation>
    </message>
    <message>
        <source>Which mask each partial fill fills next</source>
        <translation>每个部分填充接下来填哪个掩码</translation>
    </message>
    <message>
        <source>With one mask, filling together is the same as the independent guess above. Mask another token to see how the guesses change when each one sees the other.</source>
        <translation>只有一个掩码时，一起填充与上方的独立猜测相同。再掩码一个词元，看看当每个词都能看到另一个时，猜测会如何变化。</translation>
    </message>
    <message>
        <source>left to right</source>
        <translation>从左到右</translation>
    </message>
    <message>
        <source>mask %v of %m</source>
        <translation>第 %v / %m 个掩码</translation>
    </message>
    <message>
        <source>most confident first</source>
        <translation>最有把握的先填</translation>
    </message>
    <message>
        <source>width </source>
        <translation>宽度 </translation>
    </message>
    <message>
        <source>{step}. {word} at token {position} ({p})</source>
        <translation>{step}. 词元 {position} 处填 {word}（{p}）</translation>
    </message>
</context>
<context>
    <name>LabelLayers</name>
    <message>
        <source>Read out at each layer: {what}, if the model stopped there. Early layers are read through the final head, which was trained on the last layer only.</source>
        <translation>逐层读出：若模型停在该层，{what}会是什么。前面各层也是用最终的分类头读出的，而该分类头只在最后一层上训练过。</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>layer {n}</source>
        <translation>第 {n} 层</translation>
    </message>
    <message>
        <source>the label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>the tag of “{token}”</source>
        <translation>“{token}”的标记</translation>
    </message>
    <message>
        <source>{where}: {label} {percent:.1f}%</source>
        <translation>{where}：{label} {percent:.1f}%</translation>
    </message>
</context>
<context>
    <name>LayerHeadGrid</name>
    <message>
        <source>0 no effect</source>
        <translation>0 无影响</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>头</translation>
    </message>
    <message>
        <source>H{head}</source>
        <translation>头{head}</translation>
    </message>
    <message>
        <source>Layer {layer}</source>
        <translation>第 {layer} 层</translation>
    </message>
    <message>
        <source>L{layer}</source>
        <translation>层{layer}</translation>
    </message>
    <message>
        <source>{value} helps</source>
        <translation>{value} 有帮助</translation>
    </message>
    <message>
        <source>{value} hurts</source>
        <translation>{value} 有妨碍</translation>
    </message>
</context>
<context>
    <name>LayersPanel</name>
    <message>
        <source>&lt;b&gt;“{word}”&lt;/b&gt; is not in this model&apos;s vocabulary.</source>
        <translation>&lt;b&gt;“{word}”&lt;/b&gt;不在这个模型的词表中。</translation>
    </message>
    <message>
        <source>&lt;b&gt;“{word}”&lt;/b&gt; is {count} word pieces ({pieces}): following the first, &lt;b&gt;“{token}”&lt;/b&gt;.</source>
        <translation>&lt;b&gt;“{word}”&lt;/b&gt;由 {count} 个子词组成（{pieces}）：跟随第一个，&lt;b&gt;“{token}”&lt;/b&gt;。</translation>
    </message>
    <message>
        <source>After the last layer: rank {rank} ({p}).</source>
        <translation>最后一层之后：排名 {rank}（{p}）。</translation>
    </message>
    <message>
        <source>Also plot the word&apos;s rank among all word pieces (log scale, 1 at the top)</source>
        <translation>同时绘出该词在所有子词中的排名（对数刻度，1 在最上方）</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation>跟随</translation>
    </message>
    <message>
        <source>Following &lt;b&gt;“{token}”&lt;/b&gt;.</source>
        <translation>正在跟随&lt;b&gt;“{token}”&lt;/b&gt;。</translation>
    </message>
    <message>
        <source>Following the model&apos;s top guess, &lt;b&gt;“{token}”&lt;/b&gt;. Type a word or click a guess to follow another.</source>
        <translation>正在跟随模型的最佳猜测&lt;b&gt;“{token}”&lt;/b&gt;。输入一个词或点击一个猜测，可以改为跟随它。</translation>
    </message>
    <message>
        <source>How many guesses to show for each layer (1–{most})</source>
        <translation>每层显示多少个猜测（1–{most}）</translation>
    </message>
    <message>
        <source>In the top 10 at the last layer only.</source>
        <translation>只在最后一层进入前 10。</translation>
    </message>
    <message>
        <source>In the top 10 from layer {layer} on.</source>
        <translation>从第 {layer} 层起进入前 10。</translation>
    </message>
    <message>
        <source>In the top 10 from the embeddings on.</source>
        <translation>从嵌入起就在前 10。</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>掩码</translation>
    </message>
    <message>
        <source>Mask a word to watch its guess form layer by layer: click a token above, or type [MASK] in the sentence.</source>
        <translation>掩码一个词，看它的猜测如何逐层形成：点击上方的一个词元，或在句中输入 [MASK]。</translation>
    </message>
    <message>
        <source>No sentence yet: type one and mask a word to see its guess form layer by layer.</source>
        <translation>还没有句子：输入一句并掩码一个词，看它的猜测如何逐层形成。</translation>
    </message>
    <message>
        <source>Plot as PNG…</source>
        <translation>图表，导出为 PNG…</translation>
    </message>
    <message>
        <source>Plot as SVG…</source>
        <translation>图表，导出为 SVG…</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Table as CSV…</source>
        <translation>表格，导出为 CSV…</translation>
    </message>
    <message>
        <source>The top guess at the last layer only.</source>
        <translation>只在最后一层成为最佳猜测。</translation>
    </message>
    <message>
        <source>The top guess from layer {layer} on.</source>
        <translation>从第 {layer} 层起成为最佳猜测。</translation>
    </message>
    <message>
        <source>The top guess from the embeddings on.</source>
        <translation>从嵌入起就是最佳猜测。</translation>
    </message>
    <message>
        <source>This model has no masked-language-model head, so there are no per-layer guesses to show.

Open a fill-mask model (such as bert-base-uncased) from the Model menu.</source>
        <translation>这个模型没有掩码语言模型头，因此没有逐层的猜测可以显示。

请从“模型”菜单打开一个填空（fill-mask）模型（例如 bert-base-uncased）。</translation>
    </message>
    <message>
        <source>This result has no per-layer predictions.</source>
        <translation>此结果不含逐层预测。</translation>
    </message>
    <message>
        <source>Type a word to see its probability and rank after every layer</source>
        <translation>输入一个词，查看它在每一层之后的概率和排名</translation>
    </message>
    <message>
        <source>What BERT would guess for &lt;b&gt;{mask}&lt;/b&gt; if it stopped after each layer</source>
        <translation>如果 BERT 在每一层之后就停下，它会为 &lt;b&gt;{mask}&lt;/b&gt; 猜什么</translation>
    </message>
    <message>
        <source>Which masked position to look at</source>
        <translation>查看哪个掩码位置</translation>
    </message>
    <message>
        <source>Word to follow</source>
        <translation>要跟随的词</translation>
    </message>
    <message>
        <source>a word to follow (empty: the top guess)</source>
        <translation>要跟随的词（留空：最佳猜测）</translation>
    </message>
    <message>
        <source>after layer</source>
        <translation>在该层之后</translation>
    </message>
    <message>
        <source>darker = more probable · click a guess to follow it</source>
        <translation>颜色越深 = 概率越大 · 点击一个猜测即可跟随</translation>
    </message>
    <message>
        <source>emb.</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>guess {rank}</source>
        <translation>猜测 {rank}</translation>
    </message>
    <message>
        <source>layer {layer}</source>
        <translation>第 {layer} 层</translation>
    </message>
    <message>
        <source>probability of “{token}” (%)</source>
        <translation>“{token}”的概率（%）</translation>
    </message>
    <message>
        <source>rank of “{token}” (log scale)</source>
        <translation>“{token}”的排名（对数刻度）</translation>
    </message>
    <message>
        <source>top </source>
        <translation>前 </translation>
    </message>
    <message>
        <source>{layer} · output</source>
        <translation>{layer} · 输出</translation>
    </message>
    <message>
        <source>{what} · token {position}</source>
        <translation>{what} · 词元 {position}</translation>
    </message>
    <message>
        <source>“{token}” read from {layer}: {p} · click to follow it</source>
        <translation>从{layer}读出的“{token}”：{p} · 点击跟随</translation>
    </message>
    <message>
        <source>“{token}” through the layers</source>
        <translation>“{token}”穿过各层</translation>
    </message>
</context>
<context>
    <name>LessonPanel</name>
    <message>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>Lesson step</source>
        <translation>课程步骤</translation>
    </message>
    <message>
        <source>Lesson: {title}</source>
        <translation>课程：{title}</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <source>Phases and steps</source>
        <translation>阶段与步骤</translation>
    </message>
    <message>
        <source>Phases and steps:</source>
        <translation>阶段与步骤：</translation>
    </message>
    <message>
        <source>The next step (Space or PageDown, as a presenter clicker sends)</source>
        <translation>下一步（空格键或 PageDown，即演示翻页器发送的按键）</translation>
    </message>
    <message>
        <source>The previous step (PageUp)</source>
        <translation>上一步（PageUp）</translation>
    </message>
    <message>
        <source>{lesson} · {phase} · step {step} of {steps}</source>
        <translation>{lesson} · {phase} · 第 {step} 步，共 {steps} 步</translation>
    </message>
    <message>
        <source>◀ Back</source>
        <translation>◀ 上一步</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;About this model</source>
        <translation>关于此模型(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;About {app}</source>
        <translation>关于 {app}(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Automatic (a GPU for models above 100M parameters)</source>
        <translation>自动（参数超过 1 亿的模型用 GPU）(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Clear masks</source>
        <translation>清除全部掩码(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Default model</source>
        <translation>默认模型(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Edit the sentence</source>
        <translation>编辑句子(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Fewer predictions</source>
        <translation>减少预测数(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Get a model…</source>
        <translation>获取模型…(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;More predictions</source>
        <translation>增加预测数(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Open folder…</source>
        <translation>打开文件夹…(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>**no** — it cannot predict masked words</source>
        <translation>**没有**——它无法预测被掩码的词</translation>
    </message>
    <message>
        <source>*This model&apos;s folder has no model card (MODEL_CARD.md or README.md).*</source>
        <translation>*此模型的文件夹中没有模型卡（MODEL_CARD.md 或 README.md）。*</translation>
    </message>
    <message>
        <source>&lt;p&gt;Type a sentence, mask words, and look inside BERT: its guesses, its attention in every layer and head, and how each token&apos;s representation moves through the layers.&lt;/p&gt;&lt;p&gt;Works offline.&lt;/p&gt;</source>
        <translation>&lt;p&gt;输入一个句子，掩码其中的词，再看看 BERT 的内部：它的预测、每一层每个头的注意力，以及每个词元的表示如何在各层之间变化。&lt;/p&gt;&lt;p&gt;无需联网即可使用。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About this model</source>
        <translation>关于此模型</translation>
    </message>
    <message>
        <source>About {app}</source>
        <translation>关于 {app}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Could not export the attention</source>
        <translation>无法导出注意力</translation>
    </message>
    <message>
        <source>Could not export the attention plot</source>
        <translation>无法导出注意力图</translation>
    </message>
    <message>
        <source>Could not export the embedding plot</source>
        <translation>无法导出嵌入图</translation>
    </message>
    <message>
        <source>Could not export the predictions</source>
        <translation>无法导出预测</translation>
    </message>
    <message>
        <source>Could not open the model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Could not save the window</source>
        <translation>无法保存窗口</translation>
    </message>
    <message>
        <source>Curated models to download from the Hugging Face Hub, any Hub id, and your cache</source>
        <translation>从 Hugging Face Hub 下载精选模型、任意 Hub ID，以及你的缓存中已有的模型</translation>
    </message>
    <message>
        <source>De&amp;vice</source>
        <translation>设备(&amp;V)</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation>下载失败</translation>
    </message>
    <message>
        <source>Downloaded {name}; opening it…</source>
        <translation>已下载 {name}，正在打开…</translation>
    </message>
    <message>
        <source>Downloading: {done} of {total}</source>
        <translation>正在下载：{done} / {total}</translation>
    </message>
    <message>
        <source>Export attention</source>
        <translation>导出注意力</translation>
    </message>
    <message>
        <source>Export attention as &amp;CSV…</source>
        <translation>将注意力导出为 &amp;CSV…</translation>
    </message>
    <message>
        <source>Export attention as &amp;NPZ…</source>
        <translation>将注意力导出为 &amp;NPZ…</translation>
    </message>
    <message>
        <source>Export attention plot</source>
        <translation>导出注意力图</translation>
    </message>
    <message>
        <source>Export attention plot as &amp;PNG…</source>
        <translation>将注意力图导出为 &amp;PNG…</translation>
    </message>
    <message>
        <source>Export attention plot as &amp;SVG…</source>
        <translation>将注意力图导出为 &amp;SVG…</translation>
    </message>
    <message>
        <source>Export embedding plot</source>
        <translation>导出嵌入图</translation>
    </message>
    <message>
        <source>Export embedding plot as PN&amp;G…</source>
        <translation>将嵌入图导出为 PN&amp;G…</translation>
    </message>
    <message>
        <source>Export embedding plot as S&amp;VG…</source>
        <translation>将嵌入图导出为 S&amp;VG…</translation>
    </message>
    <message>
        <source>Export predictions</source>
        <translation>导出预测</translation>
    </message>
    <message>
        <source>Export predictions as &amp;JSON…</source>
        <translation>将预测导出为 &amp;JSON…</translation>
    </message>
    <message>
        <source>For better guesses than the small bundled model, get {model} ({size}):</source>
        <translation>想要比内置小模型更好的预测，可获取 {model}（{size}）：</translation>
    </message>
    <message>
        <source>For better guesses than the small bundled model, get {model}:</source>
        <translation>想要比内置小模型更好的预测，可获取 {model}：</translation>
    </message>
    <message>
        <source>In the Hugging Face cache</source>
        <translation>Hugging Face 缓存中的模型</translation>
    </message>
    <message>
        <source>Loaded from `{path}` in {seconds:.2f} s, on {device}.</source>
        <translation>从 `{path}` 加载，用时 {seconds:.2f} 秒，运行于 {device}。</translation>
    </message>
    <message>
        <source>Loaded {name} in {seconds:.1f} s</source>
        <translation>已加载 {name}，用时 {seconds:.1f} 秒</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <source>Masked-word (MLM) head: {answer}.</source>
        <translation>掩码词预测（MLM）头：{answer}。</translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>以后再说</translation>
    </message>
    <message>
        <source>Open a BERT model folder</source>
        <translation>打开 BERT 模型文件夹</translation>
    </message>
    <message>
        <source>Open a model folder (config.json + model.safetensors + tokenizer)</source>
        <translation>打开模型文件夹（config.json + model.safetensors + 分词器）</translation>
    </message>
    <message>
        <source>Save &amp;window as PNG…</source>
        <translation>将窗口保存为 PNG…(&amp;W)</translation>
    </message>
    <message>
        <source>Save window</source>
        <translation>保存窗口</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Stop loading this model; the one loaded before stays</source>
        <translation>停止加载此模型；之前加载的模型保持不变</translation>
    </message>
    <message>
        <source>Stopped loading {name}.</source>
        <translation>已停止加载 {name}。</translation>
    </message>
    <message>
        <source>Stopped loading {name}: choose a model in the Model menu.</source>
        <translation>已停止加载 {name}：请在“模型”菜单中选择一个模型。</translation>
    </message>
    <message>
        <source>Stopped loading {name}; {previous} stays.</source>
        <translation>已停止加载 {name}；继续使用 {previous}。</translation>
    </message>
    <message>
        <source>Switch all heads back &amp;on</source>
        <translation>重新开启所有头(&amp;O)</translation>
    </message>
    <message>
        <source>The model could not be opened; the previous one stays loaded.</source>
        <translation>无法打开该模型；之前的模型仍在使用。</translation>
    </message>
    <message>
        <source>The model now runs on {device}</source>
        <translation>模型现在运行于 {device}</translation>
    </message>
    <message>
        <source>The model runs on {device} in {dtype}</source>
        <translation>模型以 {dtype} 运行于 {device}</translation>
    </message>
    <message>
        <source>The model runs on {device} in {dtype}: {note}</source>
        <translation>模型以 {dtype} 运行于 {device}：{note}</translation>
    </message>
    <message>
        <source>The model runs on {device}: {note}.</source>
        <translation>模型运行于 {device}：{note}。</translation>
    </message>
    <message>
        <source>The previous model stays loaded.</source>
        <translation>之前的模型仍在使用。</translation>
    </message>
    <message>
        <source>The small model bundled with the app</source>
        <translation>应用自带的小模型</translation>
    </message>
    <message>
        <source>Toggle &amp;whole-word masking</source>
        <translation>切换全词掩码(&amp;W)</translation>
    </message>
    <message>
        <source>Toggle sentence &amp;pair</source>
        <translation>切换句子对(&amp;P)</translation>
    </message>
    <message>
        <source>Type a sentence above to see what BERT makes of it.</source>
        <translation>在上方输入一个句子，看看 BERT 如何理解它。</translation>
    </message>
    <message>
        <source>inference {ms:.0f} ms</source>
        <translation>推理 {ms:.0f} 毫秒</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <source>{layers} layers, {heads} attention heads, hidden size {hidden}, {vocab:,} word pieces, {millions:.1f} M parameters, up to {tokens} tokens.</source>
        <translation>{layers} 层，{heads} 个注意力头，隐藏层大小 {hidden}，{vocab:,} 个子词，{millions:.1f} M 参数，最多 {tokens} 个词元。</translation>
    </message>
    <message>
        <source>{model} · fine-tuned copy</source>
        <translation>{model} · 微调副本</translation>
    </message>
    <message>
        <source>{name} · {layers} layers × {heads} heads</source>
        <translation>{name} · {layers} 层 × {heads} 头</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source> · {rate}/s · about {time} left</source>
        <translation> · {rate}/秒 · 约剩 {time}</translation>
    </message>
    <message>
        <source>&amp;Cancel download</source>
        <translation>取消下载(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Resume download</source>
        <translation>继续下载(&amp;R)</translation>
    </message>
    <message>
        <source>(Not confirmed: {what}.)</source>
        <translation>（未经确认：{what}。）</translation>
    </message>
    <message>
        <source>; {size} of an interrupted download kept (Download resumes)</source>
        <translation>；已保留中断下载的 {size}（点“下载”即可继续）</translation>
    </message>
    <message>
        <source>A download is already running.</source>
        <translation>已有一个下载正在进行。</translation>
    </message>
    <message>
        <source>Asking the Hub for {name}…</source>
        <translation>正在向 Hub 请求 {name}…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Curated encoders to download from the Hugging Face Hub into its standard cache (they open offline afterwards), and what your cache already holds. Double-click to open or download.</source>
        <translation>可从 Hugging Face Hub 下载到其标准缓存中的精选编码器（下载后可离线打开），以及你的缓存中已有的模型。双击即可打开或下载。</translation>
    </message>
    <message>
        <source>Curated models</source>
        <translation>精选模型</translation>
    </message>
    <message>
        <source>Discard the &amp;partial download</source>
        <translation>丢弃未完成的下载(&amp;P)</translation>
    </message>
    <message>
        <source>Discarded the partial download of {name}.</source>
        <translation>已丢弃 {name} 未完成的下载。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Download this &amp;id</source>
        <translation>下载此 ID(&amp;I)</translation>
    </message>
    <message>
        <source>Downloaded {name}; opening it…</source>
        <translation>已下载 {name}，正在打开…</translation>
    </message>
    <message>
        <source>Downloading {name}: {done} of {total}</source>
        <translation>正在下载 {name}：{done} / {total}</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>系列</translation>
    </message>
    <message>
        <source>Get a model</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <source>Good for</source>
        <translation>适用于</translation>
    </message>
    <message>
        <source>Hub id:</source>
        <translation>Hub ID：</translation>
    </message>
    <message>
        <source>In your Hugging Face cache</source>
        <translation>你的 Hugging Face 缓存中</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Offline: downloading is switched off (HF_HUB_OFFLINE is set). The models in your cache open as usual.</source>
        <translation>离线：下载已关闭（设置了 HF_HUB_OFFLINE）。缓存中的模型照常可以打开。</translation>
    </message>
    <message>
        <source>Opening {name}…</source>
        <translation>正在打开 {name}…</translation>
    </message>
    <message>
        <source>Resuming {name} ({size} already here)…</source>
        <translation>正在继续下载 {name}（已有 {size}）…</translation>
    </message>
    <message>
        <source>Search the list and your Hugging Face cache…</source>
        <translation>搜索列表和你的 Hugging Face 缓存…</translation>
    </message>
    <message>
        <source>This version of the app does not open {family} models yet.</source>
        <translation>此版本的应用还不能打开 {family} 模型。</translation>
    </message>
    <message>
        <source>Type a model&apos;s Hub id (organization/name) first.</source>
        <translation>请先输入模型的 Hub ID（组织/名称）。</translation>
    </message>
    <message>
        <source>any model on the Hub, e.g. google-bert/bert-base-uncased</source>
        <translation>Hub 上的任意模型，例如 google-bert/bert-base-uncased</translation>
    </message>
    <message>
        <source>in your cache</source>
        <translation>已在缓存中</translation>
    </message>
    <message>
        <source>not a family this app opens</source>
        <translation>本应用不支持此模型系列</translation>
    </message>
    <message>
        <source>nothing complete yet</source>
        <translation>尚无完整文件</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>{mb:,.0f} MB</source>
        <translation>{mb:,.0f} MB</translation>
    </message>
    <message>
        <source>{mb:,.1f} MB</source>
        <translation>{mb:,.1f} MB</translation>
    </message>
    <message>
        <source>{n:.1f} h</source>
        <translation>{n:.1f} 小时</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <source>{size} kept</source>
        <translation>已保留 {size}</translation>
    </message>
</context>
<context>
    <name>NeuronCanvas</name>
    <message>
        <source>Neuron view</source>
        <translation>神经元视图</translation>
    </message>
    <message>
        <source>k[{dim}] of {token} = {k}</source>
        <translation>{token} 的 k[{dim}] = {k}</translation>
    </message>
    <message>
        <source>key kⱼ</source>
        <translation>键 kⱼ</translation>
    </message>
    <message>
        <source>q · k of {token} = the sum of its {head_dim} products = {score}</source>
        <translation>{token} 的 q · k = 它的 {head_dim} 个乘积之和 = {score}</translation>
    </message>
    <message>
        <source>q[{dim}] of {query} = {q}</source>
        <translation>{query} 的 q[{dim}] = {q}</translation>
    </message>
    <message>
        <source>q[{dim}] × k[{dim}] of {token} = {q} × {k} = {product}</source>
        <translation>{token} 的 q[{dim}] × k[{dim}] = {q} × {k} = {product}</translation>
    </message>
    <message>
        <source>query q</source>
        <translation>查询 q</translation>
    </message>
    <message>
        <source>softmax: exp({scaled}) ÷ Σ exp(all scaled scores) = {prob} · {query} gives {share} of its attention to {token}</source>
        <translation>softmax：exp({scaled}) ÷ Σ exp(所有缩放后的分数) = {prob} · {query} 把 {share} 的注意力给了 {token}</translation>
    </message>
    <message>
        <source>token j</source>
        <translation>词元 j</translation>
    </message>
    <message>
        <source>{token} (#{row}) · click to see how its attention is computed</source>
        <translation>{token}（#{row}）· 点击查看它的注意力如何计算</translation>
    </message>
    <message>
        <source>Σ of the row</source>
        <translation>整行求和</translation>
    </message>
</context>
<context>
    <name>NeuronPanel</name>
    <message>
        <source>&apos;{query}&apos; attends most to &apos;{token}&apos; ({weight}) · hover a cell for its exact number · click a token to look from it</source>
        <translation>“{query}”最关注“{token}”（{weight}）· 悬停在单元格上查看精确数值 · 点击一个词元，从它的角度查看</translation>
    </message>
    <message>
        <source>Each vector column is coloured on its own scale, ± its largest |value| (shown under its name)</source>
        <translation>每个向量列按各自的刻度着色，范围为 ± 其最大 |值|（显示在列名下方）</translation>
    </message>
    <message>
        <source>Layer {layer}, head {head} · query &apos;{token}&apos; (#{index})   ·   αⱼ = softmax( q·kⱼ / √dₖ ),  dₖ = {dim},  output = Σⱼ αⱼ vⱼ</source>
        <translation>第 {layer} 层，第 {head} 个头 · 查询“{token}”（#{index}）   ·   αⱼ = softmax( q·kⱼ / √dₖ )，dₖ = {dim}，输出 = Σⱼ αⱼ vⱼ</translation>
    </message>
    <message>
        <source>No sentence yet: type one to see how one token&apos;s attention is computed.</source>
        <translation>还没有句子：输入一句，看看一个词元的注意力是如何计算的。</translation>
    </message>
    <message>
        <source>Query token</source>
        <translation>查询词元</translation>
    </message>
    <message>
        <source>Save the whole table (every row) as a PNG image</source>
        <translation>把整张表（所有行）保存为 PNG 图片</translation>
    </message>
    <message>
        <source>Table as PNG…</source>
        <translation>表格，导出为 PNG…</translation>
    </message>
    <message>
        <source>The query token: whose attention is computed below (or click a token)</source>
        <translation>查询词元：下方计算的是它的注意力（也可以点击一个词元）</translation>
    </message>
    <message>
        <source>This result has no query and key vectors: the model ran without its internals.</source>
        <translation>此结果不含查询向量和键向量：模型运行时没有保留内部数据。</translation>
    </message>
    <message>
        <source>Which attention head of that layer</source>
        <translation>该层的哪个注意力头</translation>
    </message>
    <message>
        <source>Which transformer layer (1 = closest to the input)</source>
        <translation>哪一个 Transformer 层（1 = 最靠近输入）</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>已掩码</translation>
    </message>
    <message>
        <source>negative</source>
        <translation>负</translation>
    </message>
    <message>
        <source>positive</source>
        <translation>正</translation>
    </message>
    <message>
        <source>query</source>
        <translation>查询</translation>
    </message>
</context>
<context>
    <name>PredictionBars</name>
    <message>
        <source>Double-click (or Enter) to put this word into the sentence</source>
        <translation>双击（或按 Enter）把这个词填入句子</translation>
    </message>
</context>
<context>
    <name>PredictionsPanel</name>
    <message>
        <source>Click a token above, or type [MASK] in the sentence, to see BERT&apos;s guesses.</source>
        <translation>点击上方的一个词元，或在句中输入 [MASK]，查看 BERT 的猜测。</translation>
    </message>
    <message>
        <source>Hide word pieces (##ing) and punctuation among the guesses. The probabilities stay those of the model.</source>
        <translation>在猜测中隐藏子词（##ing）和标点。概率仍是模型给出的原值。</translation>
    </message>
    <message>
        <source>How many guesses to show for each mask (1–50)</source>
        <translation>每个掩码显示多少个猜测（1–50）</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Number of predictions</source>
        <translation>预测数量</translation>
    </message>
    <message>
        <source>Predictions</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Predictions for token {position}</source>
        <translation>词元 {position} 的预测</translation>
    </message>
    <message>
        <source>This model has no masked-language-model head, so it cannot guess masked words.

Attention and embeddings work as usual. Open a fill-mask model (such as bert-base-uncased) from the Model menu to see predictions.</source>
        <translation>这个模型没有掩码语言模型头，因此无法猜测被掩码的词。

注意力和嵌入照常可用。请从“模型”菜单打开一个填空（fill-mask）模型（例如 bert-base-uncased）来查看预测。</translation>
    </message>
    <message>
        <source>This model is a classifier: it has no masked-language-model head, so it cannot guess masked words.

Its labels for the sentence (or its tokens) are in View ▸ Applications.</source>
        <translation>此模型是分类器：它没有掩码语言模型头，因此无法猜测被掩码的词。

它对句子（或其词元）给出的标签见 视图 ▸ 应用。</translation>
    </message>
    <message>
        <source>Token {position}: {what}</source>
        <translation>词元 {position}：{what}</translation>
    </message>
    <message>
        <source>Whole words only</source>
        <translation>只显示整词</translation>
    </message>
    <message>
        <source>top </source>
        <translation>前 </translation>
    </message>
    <message>
        <source>“{token}” (masked)</source>
        <translation>“{token}”（已掩码）</translation>
    </message>
</context>
<context>
    <name>Presenter</name>
    <message>
        <source>Predictions</source>
        <translation>预测</translation>
    </message>
</context>
<context>
    <name>PretrainPanel</name>
    <message>
        <source>A new model: train it again.</source>
        <translation>已换了新模型：请重新训练。</translation>
    </message>
    <message>
        <source>A sentence with [MASK], to compare the guesses before and after</source>
        <translation>一个带 [MASK] 的句子，用来比较训练前后的猜测</translation>
    </message>
    <message>
        <source>After: the fine-tuned copy</source>
        <translation>训练后：微调副本</translation>
    </message>
    <message>
        <source>Back to the loaded weights.</source>
        <translation>已回到加载的权重。</translation>
    </message>
    <message>
        <source>Before: the loaded weights</source>
        <translation>训练前：加载的权重</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Copying the model and training…</source>
        <translation>正在复制模型并训练…</translation>
    </message>
    <message>
        <source>Done: the loss on your text fell from {before:.2f} to {after:.2f} in {steps} steps ({seconds:.1f} s, {rate:.1f} steps/s). The loaded model is unchanged.</source>
        <translation>完成：你的文本上的损失在 {steps} 步内从 {before:.2f} 降到 {after:.2f}（{seconds:.1f} 秒，每秒 {rate:.1f} 步）。加载的模型没有改变。</translation>
    </message>
    <message>
        <source>Fine-tune a copy of the model on the text by masked-language modelling (the files never change)</source>
        <translation>用掩码语言建模在这段文本上微调模型的一个副本（模型文件不会改变）</translation>
    </message>
    <message>
        <source>Forget the fine-tuned copy: every view goes back to the loaded weights</source>
        <translation>丢弃微调副本：所有视图回到加载的权重</translation>
    </message>
    <message>
        <source>Guess</source>
        <translation>猜测</translation>
    </message>
    <message>
        <source>Guesses in &lt;b&gt;&lt;font color=&apos;{color}&apos;&gt;green&lt;/font&gt;&lt;/b&gt; are tokens of your text.</source>
        <translation>&lt;b&gt;&lt;font color=&apos;{color}&apos;&gt;绿色&lt;/font&gt;&lt;/b&gt;的猜测是你的文本中的词元。</translation>
    </message>
    <message>
        <source>How many training steps (each: 8 rows of the text, 15% of it masked)</source>
        <translation>训练多少步（每步：文本的 8 行，其中 15% 被掩码）</translation>
    </message>
    <message>
        <source>Mask {number}</source>
        <translation>掩码 {number}</translation>
    </message>
    <message>
        <source>No model is loaded yet.</source>
        <translation>还没有加载模型。</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
    <message>
        <source>Paste a short text for the model to learn: a few sentences</source>
        <translation>粘贴一段让模型学习的短文本：几句话即可</translation>
    </message>
    <message>
        <source>Paste a text and press Train on this text.</source>
        <translation>粘贴一段文本，然后按“在这段文本上训练”。</translation>
    </message>
    <message>
        <source>Paste a text to train on first.</source>
        <translation>请先粘贴要训练的文本。</translation>
    </message>
    <message>
        <source>Predictions, attention, embeddings, … then come from the fine-tuned copy</source>
        <translation>之后预测、注意力、嵌入等都来自微调副本</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Save as a model…</source>
        <translation>另存为模型…</translation>
    </message>
    <message>
        <source>Save the fine-tuned model as a new folder</source>
        <translation>把微调后的模型保存为一个新文件夹</translation>
    </message>
    <message>
        <source>Saved the fine-tuned model to {folder} ({size:.1f} MB). Model ▸ Open folder… opens it.</source>
        <translation>已把微调后的模型保存到 {folder}（{size:.1f} MB）。用“模型 ▸ 打开文件夹…”即可打开。</translation>
    </message>
    <message>
        <source>Saving the fine-tuned model to {folder}…</source>
        <translation>正在把微调后的模型保存到 {folder}…</translation>
    </message>
    <message>
        <source>Step {step} / {steps} · loss {loss:.2f} · {rate:.1f} steps/s</source>
        <translation>第 {step} / {steps} 步 · 损失 {loss:.2f} · 每秒 {rate:.1f} 步</translation>
    </message>
    <message>
        <source>Steps </source>
        <translation>步数 </translation>
    </message>
    <message>
        <source>Stop training; the model stays as it was</source>
        <translation>停止训练；模型保持原样</translation>
    </message>
    <message>
        <source>Test sentence</source>
        <translation>测试句子</translation>
    </message>
    <message>
        <source>Text to learn</source>
        <translation>要学习的文本</translation>
    </message>
    <message>
        <source>The other views now use the fine-tuned copy. Reset goes back.</source>
        <translation>其他视图现在使用微调副本。按“重置”可回到原样。</translation>
    </message>
    <message>
        <source>The test sentence needs a [MASK] for the model to guess.</source>
        <translation>测试句子需要一个 [MASK] 让模型去猜。</translation>
    </message>
    <message>
        <source>The text to train on: one passage per line</source>
        <translation>要训练的文本：每行一段</translation>
    </message>
    <message>
        <source>Train on this text</source>
        <translation>在这段文本上训练</translation>
    </message>
    <message>
        <source>Training loss on the text</source>
        <translation>文本上的训练损失</translation>
    </message>
    <message>
        <source>Training stopped: the model is as it was.</source>
        <translation>训练已停止：模型保持原样。</translation>
    </message>
    <message>
        <source>Use the fine-tuned model in the other views</source>
        <translation>在其他视图中使用微调后的模型</translation>
    </message>
    <message>
        <source>Write the fine-tuned copy as a new model folder, to open with Model ▸ Open folder… (BERT models)</source>
        <translation>把微调副本写成一个新的模型文件夹，之后可用“模型 ▸ 打开文件夹…”打开（限 BERT 模型）</translation>
    </message>
    <message>
        <source>another model was opened meanwhile (a folder is written whole or not at all).</source>
        <translation>期间打开了另一个模型（文件夹要么完整写入，要么完全不写）。</translation>
    </message>
    <message>
        <source>loss (nats per masked token)</source>
        <translation>损失（每个掩码词元的奈特数）</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
</context>
<context>
    <name>ReplacedView</name>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Every token reads as the sentence&apos;s own (no probability above 50%).</source>
        <translation>每个词元看起来都是句子原有的（没有概率超过 50%）。</translation>
    </message>
    <message>
        <source>Looks replaced: {tokens}</source>
        <translation>看起来被替换了：{tokens}</translation>
    </message>
    <message>
        <source>No sentence yet: type one, with a word that does not belong, to see which token stands out.</source>
        <translation>还没有句子：输入一个句子，并放进一个不合适的词，看看哪个词元显得突兀。</translation>
    </message>
    <message>
        <source>probability the token was replaced</source>
        <translation>该词元被替换的概率</translation>
    </message>
    <message>
        <source>{model} is not an ELECTRA discriminator, so it does not say which tokens look replaced.
Open one (for example google/electra-small-discriminator, Model ▸ Get a model…) to see, for every token, how likely the model thinks it was swapped in.</source>
        <translation>{model} 不是 ELECTRA 判别器，因此无法判断哪些词元看起来被替换了。
请打开一个判别器（例如 google/electra-small-discriminator，见“模型 ▸ 获取模型…”），查看模型认为每个词元被换入的可能性。</translation>
    </message>
</context>
<context>
    <name>ScoringPanel</name>
    <message>
        <source>&lt;b&gt;Red&lt;/b&gt;: where the two sentences differ.</source>
        <translation>&lt;b&gt;红色&lt;/b&gt;：两个句子不同之处。</translation>
    </message>
    <message>
        <source>A second sentence to compare, e.g. “{sentence}”</source>
        <translation>要比较的第二个句子，例如“{sentence}”</translation>
    </message>
    <message>
        <source>Bar height: how surprised the model is by each token when it is masked and guessed from the rest, −log p in nats (0 = certain; 2.3 = a 1-in-10 guess). Score = sum of log p over the tokens (pseudo-log-likelihood): closer to 0 is more likely. {variant}.</source>
        <translation>柱高：把每个词元掩码后根据其余部分猜测时，模型对它的意外程度，即以奈特为单位的 −log p（0 = 确定；2.3 = 十中选一的猜测）。得分 = 各词元 log p 之和（伪对数似然）：越接近 0 可能性越大。{variant}。</translation>
    </message>
    <message>
        <source>Minimal pair</source>
        <translation>最小对比对</translation>
    </message>
    <message>
        <source>No sentence yet: type one to see how likely the model finds it.</source>
        <translation>还没有句子：输入一句，看看模型认为它有多大可能。</translation>
    </message>
    <message>
        <source>Original PLL (token by token)</source>
        <translation>原始 PLL（逐词元）</translation>
    </message>
    <message>
        <source>Score a second sentence beside the main one and compare the two</source>
        <translation>在主句旁边给第二个句子打分，并比较两者</translation>
    </message>
    <message>
        <source>Scores as PNG…</source>
        <translation>得分，导出为 PNG…</translation>
    </message>
    <message>
        <source>Scoring needs a complete sentence, and the main sentence has a [MASK].
Type the word itself (clicked masks are fine: the text as typed is scored).</source>
        <translation>打分需要完整的句子，而主句中有 [MASK]。
请直接输入那个词（点击产生的掩码没关系：打分用的是输入的原文）。</translation>
    </message>
    <message>
        <source>Scoring:</source>
        <translation>打分方式：</translation>
    </message>
    <message>
        <source>Scoring…</source>
        <translation>打分中…</translation>
    </message>
    <message>
        <source>Scoring… {done} of {total}</source>
        <translation>打分中… {done}/{total}</translation>
    </message>
    <message>
        <source>Sentence</source>
        <translation>句子</translation>
    </message>
    <message>
        <source>Sentence 2 of the minimal pair</source>
        <translation>最小对比对的第 2 句</translation>
    </message>
    <message>
        <source>Sentence 2:</source>
        <translation>第 2 句：</translation>
    </message>
    <message>
        <source>Sentence {number}</source>
        <translation>第 {number} 句</translation>
    </message>
    <message>
        <source>The model finds the two sentences equally likely.</source>
        <translation>模型认为两个句子的可能性相同。</translation>
    </message>
    <message>
        <source>The model prefers sentence {better} by {nats} nats ({times} more likely).</source>
        <translation>模型更倾向于第 {better} 句，高出 {nats} 奈特（可能性高 {times}）。</translation>
    </message>
    <message>
        <source>The sentences have {first} and {second} tokens, and longer ones score lower; per token, sentence {better} scores better.</source>
        <translation>两个句子分别有 {first} 和 {second} 个词元，越长得分越低；按每个词元平均，第 {better} 句得分更好。</translation>
    </message>
    <message>
        <source>Type a second sentence above to compare the two.</source>
        <translation>在上方输入第二个句子以比较两者。</translation>
    </message>
    <message>
        <source>With 1 head knocked out.</source>
        <translation>有 1 个头被关闭。</translation>
    </message>
    <message>
        <source>With {count} heads knocked out.</source>
        <translation>有 {count} 个头被关闭。</translation>
    </message>
    <message>
        <source>Word by word (Kauf &amp; Ivanova 2023): while one piece of a split word is scored, the pieces after it are masked too, so the model cannot read the word off its own ending.
Original (Salazar et al. 2020): mask one token at a time; split words tend to score too well.</source>
        <translation>逐词（Kauf &amp; Ivanova 2023）：给被拆分的词的某一片段打分时，它后面的片段也被掩码，这样模型无法从词尾读出这个词。
原始（Salazar 等 2020）：每次掩码一个词元；被拆分的词往往得分偏高。</translation>
    </message>
    <message>
        <source>Word by word (PLL-word-l2r)</source>
        <translation>逐词（PLL-word-l2r）</translation>
    </message>
    <message>
        <source>cut to the model&apos;s length</source>
        <translation>已截断到模型的最大长度</translation>
    </message>
    <message>
        <source>score &lt;b&gt;{score}&lt;/b&gt; &amp;nbsp;·&amp;nbsp; mean {mean}/token &amp;nbsp;·&amp;nbsp; {count} tokens</source>
        <translation>得分 &lt;b&gt;{score}&lt;/b&gt; &amp;nbsp;·&amp;nbsp; 平均 {mean}/词元 &amp;nbsp;·&amp;nbsp; {count} 个词元</translation>
    </message>
    <message>
        <source>scored in {ms} ms</source>
        <translation>打分用时 {ms} 毫秒</translation>
    </message>
</context>
<context>
    <name>SentencePanel</name>
    <message>
        <source>#{index} · {token} (id {id}) · sentence {segment} · {what}</source>
        <translation>#{index} · {token}（ID {id}）· 句子 {segment} · {what}</translation>
    </message>
    <message>
        <source>&amp;Whole-word masking</source>
        <translation>全词掩码(&amp;W)</translation>
    </message>
    <message>
        <source>({family} has no segment embeddings: only the separator tokens tell sentence B apart)</source>
        <translation>（{family} 没有片段嵌入：只有分隔词元能区分出句子 B）</translation>
    </message>
    <message>
        <source>Add a second sentence (segment B), as BERT saw in next-sentence prediction</source>
        <translation>添加第二个句子（片段 B），就像 BERT 在下一句预测任务中看到的那样</translation>
    </message>
    <message>
        <source>Clear masks</source>
        <translation>清除掩码</translation>
    </message>
    <message>
        <source>Clicking one piece of a word (e.g. &apos;believ&apos; in &apos;unbelievable&apos;) masks all its pieces</source>
        <translation>点击一个词的某个子词（例如 &apos;unbelievable&apos; 中的 &apos;believ&apos;）会掩码该词的所有子词</translation>
    </message>
    <message>
        <source>Second sentence (segment B)</source>
        <translation>第二个句子（片段 B）</translation>
    </message>
    <message>
        <source>Sentence &amp;pair</source>
        <translation>句子对(&amp;P)</translation>
    </message>
    <message>
        <source>Sentence A</source>
        <translation>句子 A</translation>
    </message>
    <message>
        <source>Sentence B</source>
        <translation>句子 B</translation>
    </message>
    <message>
        <source>Type a sentence. Write [MASK] or click a token below to hide it.</source>
        <translation>输入一个句子。写 [MASK] 或点击下方的词元即可把它遮住。</translation>
    </message>
    <message>
        <source>Unmask every token masked by clicking (typed [MASK]s stay)</source>
        <translation>取消所有通过点击添加的掩码（手动输入的 [MASK] 保留）</translation>
    </message>
    <message>
        <source>click to mask</source>
        <translation>点击以掩码</translation>
    </message>
    <message>
        <source>masked: click to unmask</source>
        <translation>已掩码：点击取消</translation>
    </message>
    <message>
        <source>special token (not part of the text)</source>
        <translation>特殊词元（不属于文本）</translation>
    </message>
    <message>
        <source>typed [MASK]: edit the text to change it</source>
        <translation>手动输入的 [MASK]：请编辑文本来修改</translation>
    </message>
    <message>
        <source>unknown to the vocabulary</source>
        <translation>词表中没有的词元</translation>
    </message>
    <message>
        <source>⚠ That text is longer than {limit:,} characters, so it was not put in (nothing was cut); paste a shorter passage.</source>
        <translation>⚠ 该文本超过 {limit:,} 个字符，因此没有放入（也没有截断任何内容）；请粘贴一段更短的文字。</translation>
    </message>
    <message>
        <source>⚠ This input has {tokens} tokens; the model reads at most {limit}, so everything after token {last} was left out.</source>
        <translation>⚠ 此输入有 {tokens} 个词元；模型最多读取 {limit} 个，因此第 {last} 个词元之后的内容都被略去了。</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>the settings cannot be saved in {file}; changes last until you close the app</source>
        <translation>无法把设置保存到 {file}；更改只在关闭应用前有效</translation>
    </message>
    <message>
        <source>the settings file {file} is unreadable; using defaults</source>
        <translation>设置文件 {file} 无法读取；改用默认设置</translation>
    </message>
</context>
<context>
    <name>SurpriseChart</name>
    <message>
        <source>&apos;{token}&apos; (token #{index}): p = {p} given the rest, log p = {log_p}, surprise {surprise} nats</source>
        <translation>“{token}”（词元 #{index}）：根据其余部分 p = {p}，log p = {log_p}，意外度 {surprise} 奈特</translation>
    </message>
    <message>
        <source>mean {value}</source>
        <translation>平均 {value}</translation>
    </message>
    <message>
        <source>surprise, −log p (nats)</source>
        <translation>意外度，−log p（奈特）</translation>
    </message>
</context>
<context>
    <name>TagChips</name>
    <message>
        <source>Tokens and their tags</source>
        <translation>词元及其标记</translation>
    </message>
</context>
<context>
    <name>TokenAxis</name>
    <message>
        <source> · words (mean of their tokens)</source>
        <translation> · 词（其词元的平均）</translation>
    </message>
    <message>
        <source> · words (Σ keys, mean queries)</source>
        <translation> · 词（键：求和；查询：取平均）</translation>
    </message>
    <message>
        <source>Pooling {tokens} tokens into {words} words…</source>
        <translation>正在把 {tokens} 个词元合并成 {words} 个词…</translation>
    </message>
    <message>
        <source>Show words instead of tokens (a word&apos;s pieces together; Chinese words as the jieba segmenter finds them): a word as a key receives the sum of what its tokens receive, as a query gives the mean of what its tokens give, so every row still sums to 1.</source>
        <translation>显示词而非词元（一个词的各个子词合在一起；中文词由 jieba 分词得出）：词作为键时，得到其各词元所受注意力之和；作为查询时，给出其各词元注意力的平均，因此每一行之和仍为 1。</translation>
    </message>
    <message>
        <source>Show words instead of tokens (a word&apos;s pieces together; Chinese words as the jieba segmenter finds them): each word is the mean of its tokens&apos; vectors.</source>
        <translation>显示词而非词元（一个词的各个子词合在一起；中文词由 jieba 分词得出）：每个词是其各词元向量的平均。</translation>
    </message>
</context>
<context>
    <name>TokenChips</name>
    <message>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
</context>
<context>
    <name>View</name>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Head </source>
        <translation>头 </translation>
    </message>
    <message>
        <source>Layer </source>
        <translation>层 </translation>
    </message>
    <message>
        <source>No sentence yet: type one above.</source>
        <translation>还没有句子：请在上方输入一个。</translation>
    </message>
</context>
<context>
    <name>WordsButton</name>
    <message>
        <source>Automatic (compact for long Chinese, Japanese or Korean inputs)</source>
        <translation>自动（中文、日文或韩文长输入时用紧凑布局）</translation>
    </message>
    <message>
        <source>Compact: upright, staggered</source>
        <translation>紧凑：正立、交错排列</translation>
    </message>
    <message>
        <source>Every word of this input is one token.</source>
        <translation>此输入中的每个词都只有一个词元。</translation>
    </message>
    <message>
        <source>Rotated: one line per token</source>
        <translation>旋转：每个词元一行</translation>
    </message>
    <message>
        <source>Token labels</source>
        <translation>词元标签</translation>
    </message>
    <message>
        <source>Words</source>
        <translation>词</translation>
    </message>
</context>
<context>
    <name>Workspaces</name>
    <message>
        <source>Could not open the workspace</source>
        <translation>无法打开工作区</translation>
    </message>
    <message>
        <source>Could not read the model&apos;s weights to identify them: {reason}</source>
        <translation>无法读取模型权重来识别它：{reason}</translation>
    </message>
    <message>
        <source>Could not save the workspace: {reason}</source>
        <translation>无法保存工作区：{reason}</translation>
    </message>
    <message>
        <source>Get a model…</source>
        <translation>获取模型…</translation>
    </message>
    <message>
        <source>Model ▸ Get a model… downloads it; then open the workspace again.</source>
        <translation>用“模型 ▸ 获取模型…”下载它，然后重新打开工作区。</translation>
    </message>
    <message>
        <source>No model is loaded yet: there is nothing to save.</source>
        <translation>尚未加载模型：没有可保存的内容。</translation>
    </message>
    <message>
        <source>Note: {name}&apos;s weights differ from those the workspace was saved with ({here}… here, {there}… there): results may differ.</source>
        <translation>注意：{name} 的权重与保存工作区时的不同（此处为 {here}…，保存时为 {there}…）：结果可能会不一样。</translation>
    </message>
    <message>
        <source>Nothing was changed.</source>
        <translation>没有做任何更改。</translation>
    </message>
    <message>
        <source>Saved the workspace {path}</source>
        <translation>已保存工作区 {path}</translation>
    </message>
    <message>
        <source>Saved the workspace {path}, with the loaded model: the fine-tuned copy is not saved in it (the Pretraining view&apos;s Save as a model… writes it as a model folder)</source>
        <translation>已保存工作区 {path}，其中是加载的模型：微调副本不在其中（预训练视图的“另存为模型…”可把它写成模型文件夹）</translation>
    </message>
    <message>
        <source>The workspace&apos;s model could not be opened: {reason}</source>
        <translation>无法打开工作区的模型：{reason}</translation>
    </message>
    <message>
        <source>The workspace&apos;s model is missing</source>
        <translation>缺少工作区的模型</translation>
    </message>
    <message>
        <source>This workspace needs the model {name} (from the Hugging Face Hub; weights SHA-256 {sha}…), which is not on this computer.</source>
        <translation>此工作区需要模型 {name}（来自 Hugging Face Hub；权重 SHA-256 {sha}…），但这台电脑上没有。</translation>
    </message>
    <message>
        <source>This workspace needs the model {name} (in the folder {path}; weights SHA-256 {sha}…), which is not on this computer.</source>
        <translation>此工作区需要模型 {name}（位于文件夹 {path}；权重 SHA-256 {sha}…），但这台电脑上没有。</translation>
    </message>
    <message>
        <source>This workspace needs the model {name} (weights SHA-256 {sha}…), which is not on this computer.</source>
        <translation>此工作区需要模型 {name}（权重 SHA-256 {sha}…），但这台电脑上没有。</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>工作区</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Note: {message}</source>
        <translation>注意：{message}</translation>
    </message>
</context>
<context>
    <name>exporting</name>
    <message>
        <source>CSV table (*.csv)</source>
        <translation>CSV 表格 (*.csv)</translation>
    </message>
    <message>
        <source>Could not write {path}:
{reason}</source>
        <translation>无法写入 {path}：
{reason}</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>NumPy archive (*.npz)</source>
        <translation>NumPy 存档 (*.npz)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 图像 (*.svg)</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The interface stays in {language}.</source>
        <translation>界面语言保持为{language}。</translation>
    </message>
    <message>
        <source>The interface will be in {language} the next time you start {app}.</source>
        <translation>下次启动 {app} 时，界面将显示为{language}。</translation>
    </message>
</context>
<context>
    <name>lesson_panel</name>
    <message>
        <source>&amp;Close the lesson</source>
        <translation>关闭课程(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Lessons</source>
        <translation>课程(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Next step</source>
        <translation>下一步(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open lesson file…</source>
        <translation>打开课程文件…(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Previous step</source>
        <translation>上一步(&amp;P)</translation>
    </message>
    <message>
        <source>Could not open the lesson</source>
        <translation>无法打开课程</translation>
    </message>
    <message>
        <source>Lessons (*.md)</source>
        <translation>课程 (*.md)</translation>
    </message>
    <message>
        <source>Open a lesson</source>
        <translation>打开课程</translation>
    </message>
</context>
<context>
    <name>presenter</name>
    <message>
        <source>&amp;Presenter view</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Large fonts, high contrast, full screen and a laser pointer, for a projector</source>
        <translation>大字体、高对比度、全屏和激光笔，适合投影仪</translation>
    </message>
</context>
<context>
    <name>views</name>
    <message>
        <source>&amp;Attention</source>
        <translation>注意力(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation>比较(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Neurons</source>
        <translation>神经元(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Replaced tokens</source>
        <translation>被替换词元(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Scoring</source>
        <translation>评分(&amp;S)</translation>
    </message>
    <message>
        <source>Appl&amp;ications</source>
        <translation>应用(&amp;I)</translation>
    </message>
    <message>
        <source>C&amp;orpus</source>
        <translation>语料库(&amp;O)</translation>
    </message>
    <message>
        <source>Em&amp;beddings</source>
        <translation>嵌入(&amp;B)</translation>
    </message>
    <message>
        <source>Hea&amp;ds</source>
        <translation>头(&amp;D)</translation>
    </message>
    <message>
        <source>La&amp;yers</source>
        <translation>层(&amp;Y)</translation>
    </message>
    <message>
        <source>Pre&amp;training</source>
        <translation>预训练(&amp;T)</translation>
    </message>
</context>
<context>
    <name>workspace_menu</name>
    <message>
        <source>&amp;Recent workspaces</source>
        <translation>最近的工作区(&amp;R)</translation>
    </message>
    <message>
        <source>Could not export the views</source>
        <translation>无法导出视图</translation>
    </message>
    <message>
        <source>Export all views as &amp;figures…</source>
        <translation>将所有视图导出为图片…(&amp;F)</translation>
    </message>
    <message>
        <source>Export all views as P&amp;DF…</source>
        <translation>将所有视图导出为 P&amp;DF…</translation>
    </message>
    <message>
        <source>Export all views as PDF</source>
        <translation>将所有视图导出为 PDF</translation>
    </message>
    <message>
        <source>Export all views as figures into a folder</source>
        <translation>将所有视图作为图片导出到文件夹</translation>
    </message>
    <message>
        <source>Open a workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <source>Open wor&amp;kspace…</source>
        <translation>打开工作区…(&amp;K)</translation>
    </message>
    <message>
        <source>Save the workspace</source>
        <translation>保存工作区</translation>
    </message>
    <message>
        <source>Save w&amp;orkspace…</source>
        <translation>保存工作区…(&amp;O)</translation>
    </message>
    <message>
        <source>Saved {count} figures in {folder}</source>
        <translation>已在 {folder} 中保存 {count} 张图片</translation>
    </message>
    <message>
        <source>Saved {pages} pages to {path}</source>
        <translation>已将 {pages} 页保存到 {path}</translation>
    </message>
    <message>
        <source>Workspaces (*{suffix});;All files (*)</source>
        <translation>工作区 (*{suffix});;所有文件 (*)</translation>
    </message>
</context>
</TS>
