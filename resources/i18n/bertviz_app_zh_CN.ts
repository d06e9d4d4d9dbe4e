<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
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
        <source>share of input token (rows sum to 1)</source>
        <translation>输入词元的占比（每行和为 1）</translation>
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
        <source>Export embedding plot as P&amp;NG…</source>
        <translation>将嵌入图导出为 P&amp;NG…</translation>
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
    <name>Presenter</name>
    <message>
        <source>Predictions</source>
        <translation>预测</translation>
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
        <source>&amp;Corpus</source>
        <translation>语料库(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Embeddings</source>
        <translation>嵌入(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Heads</source>
        <translation>头(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Layers</source>
        <translation>层(&amp;L)</translation>
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
